// App keyboard shortcuts: Ctrl+Shift+<key> on Windows and Linux, ⇧⌘<key> on macOS.

/** Is this a Mac (WKWebView / Safari)? Decides Cmd vs Ctrl. */
export function isMacPlatform(nav: Pick<Navigator, "platform" | "userAgent"> | undefined = globalThis.navigator): boolean {
  if (!nav) return false;
  return /mac/i.test(nav.platform || "") || /Mac OS X|Macintosh/.test(nav.userAgent || "");
}

export interface Shortcut {
  /** The letter, e.g. "S". */
  key: string;
}

/** What the menu shows: "Ctrl+Shift+S", or "⇧⌘S" on a Mac. */
export function shortcutLabel(shortcut: Shortcut, mac = isMacPlatform()): string {
  const key = shortcut.key.toUpperCase();
  return mac ? `⇧⌘${key}` : `Ctrl+Shift+${key}`;
}

/** The `aria-keyshortcuts` value: "Control+Shift+S", or "Meta+Shift+S" on a Mac. */
export function shortcutAria(shortcut: Shortcut, mac = isMacPlatform()): string {
  return `${mac ? "Meta" : "Control"}+Shift+${shortcut.key.toUpperCase()}`;
}

/** Does the key press match? (By `key`, or by physical key for layouts where Shift changes the letter.) */
export function matchesShortcut(event: KeyboardEvent, shortcut: Shortcut, mac = isMacPlatform()): boolean {
  const primary = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  if (!primary || !event.shiftKey || event.altKey) return false;
  const key = shortcut.key.toLowerCase();
  return event.key.toLowerCase() === key || event.code === `Key${key.toUpperCase()}`;
}

export const SMS_INVITE_SHORTCUT: Shortcut = { key: "S" };
export const EMAIL_INVITE_SHORTCUT: Shortcut = { key: "E" };
