// The Tauri adapter for the outbox, idle-lock and settings commands: names and argument shapes.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TauriBackend } from "../lib/backend/tauri";

const tauri = vi.hoisted(() => ({ invoke: vi.fn() }));

vi.mock("@tauri-apps/api/core", () => ({ invoke: tauri.invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: vi.fn() }) }));

beforeEach(() => {
  tauri.invoke.mockReset();
  tauri.invoke.mockResolvedValue(null);
});

describe("TauriBackend outbox, lock and settings commands", () => {
  it.each([
    ["outboxEntries", (b: TauriBackend) => b.outboxEntries(), "outbox_entries", undefined],
    ["retryOutbox", (b: TauriBackend) => b.retryOutbox(["a", "b"]), "retry_outbox", { ids: ["a", "b"] }],
    ["sendOutboxNow", (b: TauriBackend) => b.sendOutboxNow(["a"]), "send_outbox_now", { ids: ["a"] }],
    ["sendBatchNow", (b: TauriBackend) => b.sendBatchNow("b1"), "send_batch_now", { batchId: "b1" }],
    ["discardOutbox", (b: TauriBackend) => b.discardOutbox(["a"]), "discard_outbox", { ids: ["a"] }],
    ["discardUnsent", (b: TauriBackend) => b.discardUnsent(), "discard_unsent", undefined],
    ["syncNow", (b: TauriBackend) => b.syncNow(), "sync_now", undefined],
    ["unlock", (b: TauriBackend) => b.unlock("pw"), "unlock", { password: "pw" }],
    ["settings", (b: TauriBackend) => b.settings(), "settings", undefined],
    ["setSetting", (b: TauriBackend) => b.setSetting("phoneRegion", "IE"), "set_setting", { key: "phoneRegion", value: "IE" }],
    ["setSetting (default)", (b: TauriBackend) => b.setSetting("phoneRegion", null), "set_setting", { key: "phoneRegion", value: null }],
  ] as const)("%s invokes %s", async (_name, run, command, args) => {
    await run(new TauriBackend());
    expect(tauri.invoke).toHaveBeenCalledWith(command, args);
  });

  it("rejects a wrong unlock password with the backend's IpcError", async () => {
    tauri.invoke.mockRejectedValueOnce({ code: "BadCredentials", message: "That password is not right." });
    await expect(new TauriBackend().unlock("x")).rejects.toEqual({ code: "BadCredentials", message: "That password is not right." });
  });
});
