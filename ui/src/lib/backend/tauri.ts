// The desktop app's transport: Tauri's IPC and events, and the webview's drag-and-drop.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { CommandBackend } from "./commands";
import type { FileDragEvent } from "./contract";
import type { Transport, Unlisten } from "./transport";

export const tauriTransport: Transport = {
  invoke: (command, args) => invoke(command, args),
  listen: <T>(event: string, handler: (payload: T) => void): Promise<Unlisten> =>
    listen<T>(event, (e) => handler(e.payload)),
  onFileDrag: (handler: (event: FileDragEvent) => void) =>
    getCurrentWebview().onDragDropEvent((event) => {
      const payload = event.payload;
      switch (payload.type) {
        case "enter":
          handler({ type: "enter", paths: [...payload.paths] });
          break;
        case "drop":
          handler({ type: "drop", paths: [...payload.paths] });
          break;
        case "leave":
          handler({ type: "leave" });
          break;
        // "over" only moves the cursor.
      }
    }),
};

/** The Backend inside the desktop app. */
export class TauriBackend extends CommandBackend {
  constructor() {
    super(tauriTransport);
  }
}
