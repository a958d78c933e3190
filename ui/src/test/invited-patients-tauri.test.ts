// The Tauri adapter for the patient list's invited group: command name and camelCase arguments.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { TauriBackend } from "../lib/backend/tauri";

const tauri = vi.hoisted(() => ({ invoke: vi.fn() }));

vi.mock("@tauri-apps/api/core", () => ({ invoke: tauri.invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));
vi.mock("@tauri-apps/api/webview", () => ({ getCurrentWebview: () => ({ onDragDropEvent: vi.fn(async () => () => {}) }) }));

beforeEach(() => {
  tauri.invoke.mockReset();
  tauri.invoke.mockResolvedValue([]);
});

describe("TauriBackend invitedPatients", () => {
  it("invokes invited_patients with the list and the search", async () => {
    await expect(new TauriBackend().invitedPatients("l1", "ella")).resolves.toEqual([]);
    expect(tauri.invoke).toHaveBeenCalledWith("invited_patients", { listId: "l1", search: "ella" });
  });

  it("rejects with an IpcError only", async () => {
    tauri.invoke.mockRejectedValueOnce("command invited_patients not found");
    await expect(new TauriBackend().invitedPatients("l1", "")).rejects.toMatchObject({ code: "Internal" });
  });
});
