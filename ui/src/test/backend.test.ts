import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import {
  BACKEND_EVENTS,
  BACKEND_METHODS,
  inTauri,
  INTERNAL_MESSAGE,
  isIpcError,
  toIpcError,
  withSessionGuard,
  type Backend,
} from "../lib/backend";
import { BackendMethods, COMMAND_NAMES } from "../lib/backend/bindings/BackendMethods";
import { FakeBackend, fakeNhsNumber } from "../lib/backend/fake";

describe("toIpcError", () => {
  it("keeps a well-formed {code, message}", () => {
    expect(toIpcError({ code: "Offline", message: "Huma can't be reached." })).toEqual({
      code: "Offline",
      message: "Huma can't be reached.",
    });
  });

  it.each([
    ["a string from Tauri", "command sign_in not found"],
    ["an Error", new Error("boom")],
    ["undefined", undefined],
    ["null", null],
    ["an unknown code", { code: "Teapot", message: "I'm a teapot" }],
    ["a code without message", { code: "Offline" }],
  ])("turns %s into Internal", (_label, thrown) => {
    expect(toIpcError(thrown)).toEqual({ code: "Internal", message: INTERNAL_MESSAGE });
    expect(INTERNAL_MESSAGE).toMatch(/^Something went wrong/);
  });

  it("never shows an empty message", () => {
    expect(toIpcError({ code: "ServerError", message: " " }).message).toBe(INTERNAL_MESSAGE);
  });

  it("recognises IpcErrors", () => {
    expect(isIpcError({ code: "WrongCode", message: "x" })).toBe(true);
    expect(isIpcError({ code: "wrongCode", message: "x" })).toBe(false);
  });
});

describe("withSessionGuard", () => {
  it("reports NotSignedIn and SessionExpired from any method, and rethrows", async () => {
    const fake = new FakeBackend({ savedSession: true });
    const lost = vi.fn();
    const guarded = withSessionGuard(fake, lost);
    fake.fail("patientLists", { code: "SessionExpired", message: "Expired." }, 1);
    await expect(guarded.patientLists()).rejects.toEqual({ code: "SessionExpired", message: "Expired." });
    expect(lost).toHaveBeenCalledWith({ code: "SessionExpired", message: "Expired." });

    fake.fail("preferences", { code: "Offline", message: "Offline." }, 1);
    await expect(guarded.preferences()).rejects.toEqual({ code: "Offline", message: "Offline." });
    expect(lost).toHaveBeenCalledTimes(1);
    await expect(guarded.patientLists()).resolves.toHaveLength(3);
  });

  it("reports Locked to the lock callback, not as a lost session, and rethrows", async () => {
    const fake = new FakeBackend({ savedSession: true });
    const lost = vi.fn();
    const locked = vi.fn();
    const guarded = withSessionGuard(fake, lost, locked);
    const error = { code: "Locked", message: "Huma Clinician is locked." } as const;
    fake.fail("outboxEntries", error, 1);
    await expect(guarded.outboxEntries()).rejects.toEqual(error);
    expect(locked).toHaveBeenCalledTimes(1);
    expect(lost).not.toHaveBeenCalled();
  });

  it("normalises non-IpcError rejections to Internal", async () => {
    const inner = { appInfo: () => Promise.reject(new Error("raw")) } as unknown as Backend;
    await expect(withSessionGuard(inner, vi.fn()).appInfo()).rejects.toEqual({
      code: "Internal",
      message: INTERNAL_MESSAGE,
    });
  });

  it("wraps every method of the interface", () => {
    const guarded = withSessionGuard(new FakeBackend(), vi.fn());
    for (const name of BACKEND_METHODS) expect(typeof guarded[name]).toBe("function");
    for (const name of BACKEND_EVENTS) expect(typeof guarded[name]).toBe("function");
    expect(BACKEND_METHODS).toContain("awaitBatch");
  });

  it("has one method per command the window may call, and calls only those", () => {
    // Both are written from src-tauri/src/command_list.rs: the capability file by build.rs, the
    // bindings by a Rust test. This catches one of them stale (paths from ui/, where Vitest runs).
    const capabilityFile = readFileSync("../src-tauri/capabilities/commands.json", "utf8");
    const capability = JSON.parse(capabilityFile) as { permissions: string[] };
    const granted = capability.permissions.map((p) => p.replace(/^allow-/, "").replaceAll("-", "_")).sort();
    expect([...BACKEND_METHODS].map((m) => COMMAND_NAMES[m]).sort()).toEqual(granted);
    const bindings = readFileSync("src/lib/backend/bindings/BackendMethods.ts", "utf8");
    const called = [...bindings.matchAll(/this\.call\("([a-z_]+)"/g)].map((m) => m[1]).sort();
    expect(called).toEqual(granted);
  });

  it("answers a command it has no method for with what a test gave it, and refuses it otherwise", async () => {
    const fake = new FakeBackend();
    // The generated method, as a command added in Rust reaches the fake before the fake has its own.
    const generated = () => BackendMethods.prototype.supportDiagnostics.call(fake);
    await expect(generated()).rejects.toMatchObject({ code: "Internal", message: "Fixture: nothing given for supportDiagnostics" });
    const given = { text: "Fixture: diagnostics" } as never;
    fake.given("supportDiagnostics", given);
    await expect(generated()).resolves.toBe(given);
    expect(fake.callsOf("supportDiagnostics")).toHaveLength(2);
  });

  it("guards the invite commands too", async () => {
    const fake = new FakeBackend({ savedSession: true });
    const lost = vi.fn();
    fake.fail("sendEmailInvites", { code: "SessionExpired", message: "Expired." }, 1);
    await expect(withSessionGuard(fake, lost).sendEmailInvites("list-cardiology", ["a@b.com"])).rejects.toMatchObject({
      code: "SessionExpired",
    });
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("passes event subscriptions straight through", () => {
    const fake = new FakeBackend({ savedSession: true });
    const guarded = withSessionGuard(fake, vi.fn());
    const seen: number[] = [];
    const off = guarded.onOutboxChanged((s) => seen.push(s.waiting));
    expect(fake.listenerCount().outbox).toBe(1);
    fake.emitOutbox({ waiting: 4 });
    off();
    expect(fake.listenerCount().outbox).toBe(0);
    expect(seen).toEqual([4]);
  });
});

describe("backend selection", () => {
  it("uses Tauri only when its internals are present", () => {
    expect(inTauri({})).toBe(false);
    expect(inTauri({ __TAURI_INTERNALS__: {} })).toBe(true);
    expect(inTauri(window)).toBe(false);
  });
});

describe("fake backend", () => {
  it("makes NHS numbers with a valid check digit", () => {
    for (let n = 0; n < 200; n++) {
      const nhs = fakeNhsNumber(n);
      expect(nhs).toMatch(/^\d{10}$/);
      const sum = [...nhs.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0);
      const check = (11 - (sum % 11)) % 11;
      expect(check).not.toBe(10);
      expect(Number(nhs[9])).toBe(check);
    }
  });

  it("refuses patient data before sign-in", async () => {
    const fake = new FakeBackend();
    await expect(fake.patientLists()).rejects.toMatchObject({ code: "NotSignedIn" });
  });

  it("pages and searches server-side", async () => {
    const fake = new FakeBackend({ savedSession: true, patientCount: 1_234 });
    const page = await fake.searchPatients({ listId: "list-cardiology", search: "", skip: 1_200, limit: 100 });
    expect(page).toMatchObject({ filtered: 1_234, total: 1_234, source: "server", cachedAt: null });
    expect(page.patients).toHaveLength(34);
    const nhs = page.patients[0]!.nhsNumber;
    const found = await fake.searchPatients({ listId: "list-cardiology", search: nhs, skip: 0, limit: 10 });
    expect(found.patients.map((p) => p.nhsNumber)).toContain(nhs);
  });

  it("queues batches while offline and sends them when back online", async () => {
    const fake = new FakeBackend({ savedSession: true, offline: true });
    const counts: number[] = [];
    fake.onOutboxChanged((s) => counts.push(s.waiting));
    const receipt = await fake.sendEmailInvites("list-cardiology", ["a@example.com", "b@example.com"]);
    expect(receipt).toEqual({ batchId: "batch-1", queued: 2 });
    expect(await fake.awaitBatch(receipt.batchId, 4000)).toMatchObject({ sent: 0, queued: 2, rejected: [] });
    expect(await fake.outboxStatus()).toMatchObject({ waiting: 2, connection: "offline", paused: null });
    fake.setOffline(false);
    expect(await fake.awaitBatch(receipt.batchId, 4000)).toMatchObject({ sent: 2, queued: 0, summary: "Fixture: 2 sent, 0 not sent, 0 queued" });
    expect(counts).toEqual([2, 0]);
  });

  it("refuses invites before sign-in", async () => {
    await expect(new FakeBackend().outboxStatus()).rejects.toMatchObject({ code: "NotSignedIn" });
  });
});
