// What the UI asks of the Rust side: one method per command and one subscription per event, both
// written from the Rust declarations (bindings/BackendMethods.ts), and the window's file drags. The
// implementations (commands.ts, fake.ts) depend on this file alone, not on index.ts, which chooses
// between them.
import type { AppEvents, BackendCommands, Unsubscribe } from "./bindings/BackendMethods";

export type { AppEvents, BackendCommands, Unsubscribe };

/**
 * A file dragged over the window (Tauri's webview drag-and-drop, which gives real paths):
 * `enter` when files come over the window, `drop` when they are dropped, `leave` when the drag
 * leaves or is cancelled.
 */
export type FileDragEvent = { type: "enter"; paths: string[] } | { type: "drop"; paths: string[] } | { type: "leave" };

/**
 * Events from the Rust side and the window. Subscribing is synchronous (the unsubscribe function
 * works even while the underlying listener is still being registered); handlers never throw
 * across the boundary.
 */
export interface BackendEvents extends AppEvents {
  /** Files dragged over / dropped on the window. */
  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe;
}

export interface Backend extends BackendCommands, BackendEvents {}

export type BackendMethod = keyof BackendCommands;
export type BackendEvent = keyof BackendEvents;
