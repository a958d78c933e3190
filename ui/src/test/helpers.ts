import { render, screen, waitFor, within } from "@testing-library/svelte";
import { expect } from "vitest";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { FakeBackend, type FakeOptions } from "../lib/backend/fake";

/** Render the whole app against a fresh fake backend. */
export function renderApp(options: FakeOptions = {}) {
  const fake = new FakeBackend(options);
  const user = userEvent.setup();
  const result = render(App, { props: { backend: fake } });
  return { fake, user, ...result };
}

/** Render the app with a saved session and wait for the patient table. */
export async function renderSignedIn(options: FakeOptions = {}) {
  const rendered = renderApp({ savedSession: true, ...options });
  await screen.findByRole("table", { name: "Patients" });
  return rendered;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Rendered body rows of the patient table (the header row excluded). */
export function bodyRows(): HTMLElement[] {
  return screen
    .getAllByRole("row")
    .filter((row) => Number(row.getAttribute("aria-rowindex")) > 1);
}

export type InviteItem = "SMS invite" | "Email invite";

/** Open an invite dialog from the clinician's menu; resolves with the open `<dialog>`. */
export async function openInvite(user: ReturnType<typeof userEvent.setup>, item: InviteItem): Promise<HTMLElement> {
  await user.click(screen.getByRole("button", { name: "Alex Morgan" }));
  await user.click(screen.getByRole("menuitem", { name: item }));
  const dialog = screen.getByRole("dialog", { name: item });
  await waitFor(() => expect(dialog).toHaveAttribute("open"));
  return dialog;
}

/** Types the SMS invite form's three fields (an empty value leaves the field empty). */
export async function fillSmsForm(
  user: ReturnType<typeof userEvent.setup>,
  dialog: HTMLElement,
  given: string,
  family: string,
  phone: string,
): Promise<void> {
  const d = within(dialog);
  for (const [label, value] of [
    ["First name", given],
    ["Last name", family],
    ["Mobile number", phone],
  ] as const) {
    const input = d.getByLabelText(label);
    await user.clear(input);
    if (value) await user.type(input, value);
  }
}
