// The transport in a plain browser: the app's commands over HTTP to the development host
// (`huma-clinician-dev-host`, the real core with its embedded sandbox; see the README), and
// its events as server-sent events. `npm run dev` proxies both to it; the UI's behaviour tests
// call it directly. Nothing here decides anything: it carries what the core says.
import { CommandBackend } from "./commands";
import type { Transport, Unlisten } from "./transport";

type Handler = (payload: unknown) => void;

/** One event stream per transport, shared by every listener, opened on the first. */
class EventFeed {
  private readonly handlers = new Map<string, Set<Handler>>();
  private opened: Promise<void> | null = null;

  constructor(private readonly url: string) {}

  listen(event: string, handler: Handler): Promise<Unlisten> {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    this.opened ??= this.open();
    return this.opened.then(() => () => set.delete(handler));
  }

  /** Resolves once the host has answered (it then sends every event from that moment). */
  private async open(): Promise<void> {
    const response = await fetch(this.url, { headers: { accept: "text/event-stream" } });
    if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    // The host stopping ends the stream: events stop, as they do when the desktop app closes.
    this.read(reader).catch(() => {});
  }

  private async read(reader: ReadableStreamDefaultReader<string>): Promise<void> {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private dispatch(block: string) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0) return; // keep-alive comments
    const payload: unknown = JSON.parse(data.join("\n"));
    for (const handler of this.handlers.get(event) ?? []) handler(payload);
  }
}

/** `base`: the host's address ("" for this page's own origin, as behind `npm run dev`'s proxy). */
export function webTransport(base: string): Transport {
  const feed = new EventFeed(`${base}/events`);
  return {
    async invoke<T>(command: string, args?: Record<string, unknown>): Promise<T> {
      const response = await fetch(`${base}/cmd/${command}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args ?? {}),
      });
      const text = await response.text();
      let value: unknown = text;
      try {
        value = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON: the host's own refusal (a bad request), passed on as Tauri passes strings.
      }
      if (!response.ok) throw value;
      return value as T;
    },
    listen: <T>(event: string, handler: (payload: T) => void) => feed.listen(event, handler as Handler),
    // A browser page is not told the paths of dropped files; the desktop app alone imports by drop.
    onFileDrag: () => Promise.resolve(() => {}),
  };
}

/** The Backend in a plain browser, over the development host. */
export class WebBackend extends CommandBackend {
  constructor(base = "") {
    super(webTransport(base));
  }
}
