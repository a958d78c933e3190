// The Tauri adapter: command names and argument shapes the Rust side expects (camelCase args),
// and events turned into synchronous subscriptions. @tauri-apps/api is mocked (no webview here).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { FileDragEvent } from "../lib/backend";
import { TauriBackend } from "../lib/backend/tauri";

const tauri = vi.hoisted(() => {
  type Handler = (event: { payload: unknown }) => void;
  const handlers = new Map<string, Handler>();
  const unlisten = vi.fn();
  return {
    handlers,
    unlisten,
    invoke: vi.fn(),
    listen: vi.fn(async (name: string, handler: Handler) => {
      handlers.set(name, handler);
      return () => {
        unlisten(name);
        handlers.delete(name);
      };
    }),
    onDragDropEvent: vi.fn(async (handler: Handler) => {
      handlers.set("drag-drop", handler);
      return () => {
        unlisten("drag-drop");
        handlers.delete("drag-drop");
      };
    }),
  };
});

vi.mock("@tauri-apps/api/core", () => ({ invoke: tauri.invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: tauri.listen }));
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({ onDragDropEvent: tauri.onDragDropEvent }),
}));

beforeEach(() => {
  tauri.invoke.mockReset();
  tauri.invoke.mockResolvedValue(null);
  tauri.unlisten.mockReset();
  tauri.handlers.clear();
});

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("TauriBackend invite commands", () => {
  const draft = { listId: "l1", givenName: "Sam", familyName: "Patel", phone: "07911 123456", language: "cy" as const };

  it.each([
    ["inviteLanguages", (b: TauriBackend) => b.inviteLanguages(), "invite_languages", undefined],
    ["prepareSmsInvite", (b: TauriBackend) => b.prepareSmsInvite(draft), "prepare_sms_invite", { draft }],
    ["sendSmsInvite", (b: TauriBackend) => b.sendSmsInvite(draft), "send_sms_invite", { draft }],
    ["parseEmailRecipients", (b: TauriBackend) => b.parseEmailRecipients("a@b.com"), "parse_email_recipients", { text: "a@b.com" }],
    [
      "checkEmailInvites",
      (b: TauriBackend) => b.checkEmailInvites("l1", ["a@b.com"]),
      "check_email_invites",
      { listId: "l1", addresses: ["a@b.com"] },
    ],
    [
      "sendEmailInvites",
      (b: TauriBackend) => b.sendEmailInvites("l1", ["a@b.com"]),
      "send_email_invites",
      { listId: "l1", addresses: ["a@b.com"] },
    ],
    ["pickCsv", (b: TauriBackend) => b.pickCsv("l1"), "pick_csv", { listId: "l1" }],
    ["importCsv", (b: TauriBackend) => b.importCsv("l1", "/tmp/x.csv"), "import_csv", { listId: "l1", path: "/tmp/x.csv" }],
    ["saveCsvRejects", (b: TauriBackend) => b.saveCsvRejects("i1"), "save_csv_rejects", { importId: "i1" }],
    [
      "sendImport",
      (b: TauriBackend) => b.sendImport("l1", "i1", ["+447911123456"]),
      "send_import",
      { listId: "l1", importId: "i1", skip: ["+447911123456"] },
    ],
    ["awaitBatch", (b: TauriBackend) => b.awaitBatch("b1", 4000), "await_batch", { batchId: "b1", timeoutMs: 4000 }],
    ["outboxStatus", (b: TauriBackend) => b.outboxStatus(), "outbox_status", undefined],
  ] as const)("%s invokes %s", async (_name, run, command, args) => {
    await run(new TauriBackend());
    expect(tauri.invoke).toHaveBeenCalledWith(command, args);
  });

  it("rejects with an IpcError only", async () => {
    tauri.invoke.mockRejectedValueOnce({ code: "InvalidInput", message: "Choose a CSV file." });
    await expect(new TauriBackend().importCsv("l1", "x")).rejects.toEqual({ code: "InvalidInput", message: "Choose a CSV file." });
    tauri.invoke.mockRejectedValueOnce("command pick_csv not found");
    await expect(new TauriBackend().pickCsv("l1")).rejects.toMatchObject({ code: "Internal" });
  });
});

describe("TauriBackend events", () => {
  it("delivers outbox-changed and csv-progress payloads until unsubscribed", async () => {
    const backend = new TauriBackend();
    const statuses: unknown[] = [];
    const progress: unknown[] = [];
    const offOutbox = backend.onOutboxChanged((s) => statuses.push(s));
    const offProgress = backend.onCsvProgress((p) => progress.push(p));
    await flush();
    tauri.handlers.get("outbox-changed")!({ payload: { waiting: 2 } });
    tauri.handlers.get("csv-progress")!({ payload: { bytesRead: 10, totalBytes: 40 } });
    expect(statuses).toEqual([{ waiting: 2 }]);
    expect(progress).toEqual([{ bytesRead: 10, totalBytes: 40 }]);
    offOutbox();
    offOutbox(); // twice is harmless
    offProgress();
    expect(tauri.unlisten.mock.calls.map((c) => c[0]).sort()).toEqual(["csv-progress", "outbox-changed"]);
  });

  it("unlistens as soon as registration finishes when unsubscribed before", async () => {
    const off = new TauriBackend().onOutboxChanged(() => {});
    off();
    expect(tauri.unlisten).not.toHaveBeenCalled();
    await flush();
    expect(tauri.unlisten).toHaveBeenCalledWith("outbox-changed");
  });

  it("survives a listener that cannot be registered", async () => {
    tauri.listen.mockRejectedValueOnce(new Error("event.listen not allowed"));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const off = new TauriBackend().onOutboxChanged(() => {});
    await flush();
    expect(() => off()).not.toThrow();
    errors.mockRestore();
  });

  it("turns the webview's drag-and-drop into enter / drop / leave with paths", async () => {
    const events: FileDragEvent[] = [];
    const off = new TauriBackend().onFileDrag((e) => events.push(e));
    await flush();
    const send = tauri.handlers.get("drag-drop")!;
    send({ payload: { type: "enter", paths: ["/a.csv"], position: { x: 1, y: 1 } } });
    send({ payload: { type: "over", position: { x: 2, y: 2 } } });
    send({ payload: { type: "drop", paths: ["/a.csv"], position: { x: 2, y: 2 } } });
    send({ payload: { type: "leave" } });
    expect(events).toEqual([
      { type: "enter", paths: ["/a.csv"] },
      { type: "drop", paths: ["/a.csv"] },
      { type: "leave" },
    ]);
    off();
    expect(tauri.unlisten).toHaveBeenCalledWith("drag-drop");
  });
});
