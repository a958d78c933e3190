// The Tauri adapter for pending invites and support: command names and camelCase argument shapes.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TauriBackend } from "../lib/backend/tauri";

const tauri = vi.hoisted(() => ({ invoke: vi.fn() }));

vi.mock("@tauri-apps/api/core", () => ({ invoke: tauri.invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: vi.fn(async () => () => {}) }) }));

beforeEach(() => {
  tauri.invoke.mockReset();
  tauri.invoke.mockResolvedValue(null);
});

describe("TauriBackend pending invites and support commands", () => {
  it.each([
    ["pendingInvites", (b: TauriBackend) => b.pendingInvites("l1"), "pending_invites", { listId: "l1" }],
    ["resendInvites", (b: TauriBackend) => b.resendInvites("l1", ["a", "b"]), "resend_invites", { listId: "l1", ids: ["a", "b"] }],
    ["revokeInvites", (b: TauriBackend) => b.revokeInvites("l1", ["a"]), "revoke_invites", { listId: "l1", ids: ["a"] }],
    [
      "signUpCode",
      (b: TauriBackend) => b.signUpCode("l1", "i1"),
      "sign_up_code",
      { listId: "l1", invitationId: "i1" },
    ],
    ["exportPending", (b: TauriBackend) => b.exportPending("l1", ["b", "a"]), "export_pending", { listId: "l1", ids: ["b", "a"] }],
    ["supportDiagnostics", (b: TauriBackend) => b.supportDiagnostics(), "support_diagnostics", undefined],
    ["contactSupport", (b: TauriBackend) => b.contactSupport(), "contact_support", undefined],
  ] as const)("%s invokes %s", async (_name, run, command, args) => {
    await run(new TauriBackend());
    expect(tauri.invoke).toHaveBeenCalledWith(command, args);
  });

  it("rejects with an IpcError only", async () => {
    tauri.invoke.mockRejectedValueOnce({ code: "InvalidInput", message: "Resend limit reached." });
    await expect(new TauriBackend().resendInvites("l1", ["a"])).rejects.toEqual({
      code: "InvalidInput",
      message: "Resend limit reached.",
    });
    tauri.invoke.mockRejectedValueOnce("command export_pending not found");
    await expect(new TauriBackend().exportPending("l1", [])).rejects.toMatchObject({ code: "Internal" });
  });
});
