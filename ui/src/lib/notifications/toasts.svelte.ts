// On-screen notifications ("toasts"). Success and information toasts dismiss themselves after
// TOAST_AUTO_DISMISS_MS (paused while the pointer or focus is on them, so they can be read);
// anything listing a problem stays until dismissed. Progress toasts stay until replaced.

export type ToastTone = "progress" | "success" | "info" | "warning" | "error";

/** One button on a toast (e.g. "Send now"); the toast goes away when it is used. */
export interface ToastAction {
  label: string;
  run: () => void;
  /** The same action is offered elsewhere, so the toast may still dismiss itself. */
  elsewhereToo?: boolean;
}

export interface ToastContent {
  tone: ToastTone;
  message: string;
  /** Extra lines, e.g. "Not sent: … — …". */
  details?: string[];
  action?: ToastAction;
}

export interface Toast extends Required<Omit<ToastContent, "action">> {
  id: number;
  action: ToastAction | null;
}

export const TOAST_AUTO_DISMISS_MS = 8_000;

/** Does this toast go away by itself? */
export function autoDismisses(toast: ToastContent): boolean {
  return (toast.tone === "success" || toast.tone === "info") && (toast.details?.length ?? 0) === 0 && (!toast.action || toast.action.elsewhereToo === true);
}

function toToast(id: number, content: ToastContent): Toast {
  return { id, tone: content.tone, message: content.message, details: content.details ?? [], action: content.action ?? null };
}

interface Timer {
  handle: ReturnType<typeof setTimeout> | null;
  remaining: number;
  startedAt: number;
}

export class Toasts {
  items = $state<Toast[]>([]);
  // Bookkeeping only, never rendered: a plain Map on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #timers = new Map<number, Timer>();
  #nextId = 1;

  constructor(readonly autoDismissMs = TOAST_AUTO_DISMISS_MS) {}

  show(content: ToastContent): number {
    const id = this.#nextId++;
    this.items = [...this.items, toToast(id, content)];
    this.#schedule(id, content);
    return id;
  }

  /** Replace a toast's content (e.g. "Sending…" → the outcome); shows it again if it was dismissed. */
  update(id: number, content: ToastContent): void {
    const next = toToast(id, content);
    this.items = this.items.some((t) => t.id === id)
      ? this.items.map((t) => (t.id === id ? next : t))
      : [...this.items, next];
    this.#schedule(id, content);
  }

  dismiss(id: number): void {
    this.#clearTimer(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  /** Stop the auto-dismiss clock (pointer over the toast, or focus in it). */
  pause(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer?.handle) return;
    clearTimeout(timer.handle);
    timer.handle = null;
    timer.remaining = Math.max(0, timer.remaining - (Date.now() - timer.startedAt));
  }

  resume(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer || timer.handle) return;
    // Give the reader at least a couple of seconds after they move away.
    timer.remaining = Math.max(timer.remaining, 2_000);
    timer.startedAt = Date.now();
    timer.handle = setTimeout(() => this.dismiss(id), timer.remaining);
  }

  /** Stop every clock (the screen is going away). */
  destroy(): void {
    for (const id of [...this.#timers.keys()]) this.#clearTimer(id);
  }

  #schedule(id: number, content: ToastContent): void {
    this.#clearTimer(id);
    if (!autoDismisses(content)) return;
    const timer: Timer = { handle: null, remaining: this.autoDismissMs, startedAt: Date.now() };
    timer.handle = setTimeout(() => this.dismiss(id), timer.remaining);
    this.#timers.set(id, timer);
  }

  #clearTimer(id: number): void {
    const timer = this.#timers.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    this.#timers.delete(id);
  }
}
