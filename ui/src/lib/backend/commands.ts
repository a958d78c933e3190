// The real Backend: every command and event (the generated `BackendMethods`), over a
// Transport (Tauri's IPC in the app, HTTP to the development host in a browser). No rule lives
// here: the core decides, this only carries.
import { BackendMethods } from "./bindings/BackendMethods";
import type { Backend, FileDragEvent, Unsubscribe } from "./contract";
import { toIpcError } from "./errors";
import type { Transport, Unlisten } from "./transport";

/**
 * Tauri registers listeners asynchronously; the UI wants a synchronous unsubscribe (for `$effect`
 * cleanups). Unsubscribing before registration finished unlistens as soon as it does.
 */
export function subscribe(what: string, register: () => Promise<Unlisten>): Unsubscribe {
  let stopped = false;
  let unlisten: Unlisten | null = null;
  register().then(
    (fn) => {
      if (stopped) fn();
      else unlisten = fn;
    },
    (thrown: unknown) => {
      // E.g. a permission missing from the window's capability: the UI keeps working without it.
      if (import.meta.env.DEV) console.error(`Huma Clinician: could not listen to ${what}`, thrown);
    },
  );
  return () => {
    if (stopped) return;
    stopped = true;
    unlisten?.();
    unlisten = null;
  };
}

export class CommandBackend extends BackendMethods implements Backend {
  constructor(private readonly transport: Transport) {
    super();
  }

  protected async call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await this.transport.invoke<T>(command, args);
    } catch (thrown) {
      const error = toIpcError(thrown);
      if (error.code === "Internal" && import.meta.env.DEV) {
        // Diagnostics for developers only: raw errors can carry details not meant for the clinician.
        console.error(`Huma Clinician: command ${command} failed`, thrown);
      }
      throw error;
    }
  }

  protected listen<T>(event: string, handler: (payload: T) => void): Unsubscribe {
    return subscribe(event, () => this.transport.listen<T>(event, handler));
  }
  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe {
    return subscribe("file drag-and-drop", () => this.transport.onFileDrag(handler));
  }
}
