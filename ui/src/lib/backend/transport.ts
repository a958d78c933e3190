// How the UI reaches the app's commands and events: Tauri's IPC in the desktop app (`tauri.ts`),
// HTTP to the development host in a plain browser (`web.ts`). `CommandBackend` (commands.ts) is
// the one Backend over either.
import type { FileDragEvent } from "./contract";

export type Unlisten = () => void;

export interface Transport {
  /** Runs a command; rejects with the error the command returned (an `IpcError` as JSON). */
  invoke<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Calls `handler` with each event's payload; resolves once listening. */
  listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten>;
  /** Files dragged over and dropped on the window. */
  onFileDrag(handler: (event: FileDragEvent) => void): Promise<Unlisten>;
}
