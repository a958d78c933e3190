// What the UI asks of the Rust side: one method per command (generated from the Rust commands, in
// bindings/BackendCommands.ts), one subscription per event. The implementations (commands.ts,
// fake.ts) depend on this file alone, not on index.ts, which chooses between them.
import type { BackendCommands } from "./bindings/BackendCommands";
import type { CsvProgress } from "./bindings/CsvProgress";
import type { OutboxStatus } from "./bindings/OutboxStatus";

export type { BackendCommands };

/** Stops a subscription. Safe to call more than once. */
export type Unsubscribe = () => void;

/**
 * A file dragged over the window (Tauri's webview drag-and-drop, which gives real paths):
 * `enter` when files come over the window, `drop` when they are dropped, `leave` when the drag
 * leaves or is cancelled.
 */
export type FileDragEvent = { type: "enter"; paths: string[] } | { type: "drop"; paths: string[] } | { type: "leave" };

/**
 * Events from the Rust side. Subscribing is synchronous (the unsubscribe function works even while the
 * underlying listener is still being registered); handlers never throw across the boundary.
 */
export interface BackendEvents {
  /** Event `outbox-changed`. */
  onOutboxChanged(handler: (status: OutboxStatus) => void): Unsubscribe;
  /** Event `csv-progress` (while `pick_csv` / `import_csv` read a file). */
  onCsvProgress(handler: (progress: CsvProgress) => void): Unsubscribe;
  /** Files dragged over / dropped on the window. */
  onFileDrag(handler: (event: FileDragEvent) => void): Unsubscribe;
}

export interface Backend extends BackendCommands, BackendEvents {}

export type BackendMethod = keyof BackendCommands;
export type BackendEvent = keyof BackendEvents;
