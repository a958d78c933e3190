// One development host per test: the real core with its embedded sandbox, a fresh data folder
// and a keyring service of its own, so tests never share a session or an outbox.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, expect } from "vitest";
import App from "../App.svelte";
import { WebBackend } from "../lib/backend/web";
import type { AppInfo } from "../lib/backend";

/** The binary `cargo build --features dev-host` makes (override: HUMA_DEV_HOST_BIN). */
const BINARY = process.env.HUMA_DEV_HOST_BIN ?? resolve("../target/debug/huma-clinician-dev-host");
const STARTED = /development host on (http:\/\/\S+)/;

export interface Host {
  url: string;
  backend: WebBackend;
}

async function start(): Promise<{ host: Host; stop: () => void }> {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: build it with cargo build --features dev-host --bin huma-clinician-dev-host`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), "huma-ui-core-"));
  // Invites go at once whatever the hour the tests run (the clinician's setting, as the
  // end-to-end tests set it).
  writeFileSync(join(dataDir, "preferences.json"), JSON.stringify({ sendingHours: "always" }));
  // No configured server: the host starts its embedded sandbox.
  const { HUMA_CLINICIAN_BACKEND_URL: _configured, ...env } = process.env;
  const child: ChildProcess = spawn(BINARY, ["0"], {
    env: {
      ...env,
      HUMA_CLINICIAN_DATA_DIR: dataDir,
      HUMA_CLINICIAN_KEYRING_SERVICE: `huma-clinician-ui-test-${process.pid}-${Date.now()}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const url = await new Promise<string>((done, fail) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = STARTED.exec(out);
      if (found) done(found[1]!);
    });
    child.on("exit", (code) => fail(new Error(`the development host exited (${code}): ${errors}`)));
  });
  const stop = () => {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { host: { url, backend: new WebBackend(url) }, stop };
}

/** A fresh host for each test (a new computer, in effect); filled in before the test runs. */
export function useHost(): Host {
  const host = {} as Host;
  let stop = () => {};
  beforeEach(async () => {
    const started = await start();
    Object.assign(host, started.host);
    stop = started.stop;
  });
  afterEach(() => {
    cleanup();
    stop();
  });
  return host;
}

export type User = Awaited<ReturnType<typeof renderSignedIn>>["user"];

/** Opens an invite dialog from the clinician's menu; resolves with the open `<dialog>`. */
export async function openInvite(user: User, item: "SMS invite" | "Email invite"): Promise<HTMLElement> {
  await user.click(screen.getByRole("button", { name: /Amelia Hart/ }));
  await user.click(screen.getByRole("menuitem", { name: item }));
  const dialog = await screen.findByRole("dialog", { name: item });
  await waitFor(() => expect(dialog).toHaveAttribute("open"));
  return dialog;
}

/** The newest verification code the sandbox "sent" by SMS. */
async function latestCode(messagesUrl: string): Promise<string> {
  const response = await fetch(messagesUrl, { headers: { accept: "application/json" } });
  const { messages } = (await response.json()) as { messages: { kind: string; body: string }[] };
  const body = messages.find((m) => m.kind === "VERIFICATION_CODE")?.body ?? "";
  const code = /\b\d{6}\b/.exec(body)?.[0];
  if (!code) throw new Error("no verification code in the sandbox's message log");
  return code;
}

/**
 * Renders the app over the host and signs in as the demo clinician through the sign-in screens
 * (demo account, password, the SMS code from the sandbox), then waits for the patient table.
 */
export async function renderSignedIn(host: Host) {
  const user = userEvent.setup();
  const rendered = render(App, { props: { backend: host.backend } });
  await user.click(await screen.findByRole("button", { name: "Use demo account" }));
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  const info: AppInfo = await host.backend.appInfo();
  const codeField = await screen.findByLabelText("Verification code");
  await user.type(codeField, await latestCode(info.sandboxMessagesUrl!));
  await user.click(screen.getByRole("button", { name: "Verify" }));
  const table = await screen.findByRole("table", { name: "Patients" }, { timeout: 15_000 });
  await waitFor(() => expect(within(table).getAllByRole("row").length).toBeGreaterThan(1), { timeout: 15_000 });
  return { user, ...rendered };
}
