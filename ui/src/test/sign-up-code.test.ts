import { act, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Backend, SignUpCode } from "../lib/backend";
import SignUpCodeDialog from "../lib/components/SignUpCodeDialog.svelte";

// A stub that holds no rules: it hands out whatever code the test gives it and counts the calls.
function stubBackend(code: SignUpCode) {
  const signUpCode = vi.fn(() => Promise.resolve(code));
  return { backend: { signUpCode } as unknown as Backend, signUpCode };
}

const CODE: SignUpCode = { patientName: "Ruth Ellison", size: 3, path: "M1 1h1v1h-1z", shownForSeconds: 120 };

async function opened(code = CODE) {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  const stub = stubBackend(code);
  const { component } = render(SignUpCodeDialog, { props: { backend: stub.backend } });
  await act(() => component.open("list-1", "inv-1"));
  await waitFor(() => expect(screen.getByTestId("sign-up-code")).toBeTruthy());
  return stub;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("sign-up code dialog", () => {
  it("shows the patient's code with their name and a countdown from the time it is given", async () => {
    const { signUpCode } = await opened();
    expect(signUpCode).toHaveBeenCalledWith("list-1", "inv-1");
    expect(screen.getByRole("img", { name: "Sign-up code for Ruth Ellison" })).toBeTruthy();
    expect(screen.getByTestId("sign-up-code-countdown").textContent).toContain("2:00");
  });

  it("drops the code when its time is up, and fetches it again on request", async () => {
    const { signUpCode } = await opened();
    await act(() => vi.advanceTimersByTime(119_000));
    expect(screen.queryByTestId("sign-up-code")).toBeTruthy();
    await act(() => vi.advanceTimersByTime(1_000));
    expect(screen.queryByTestId("sign-up-code")).toBeNull();
    expect(screen.getByTestId("sign-up-code-hidden").textContent).toContain("on screen for 2 minutes");
    await act(() => screen.getByRole("button", { name: "Show again" }).click());
    await waitFor(() => expect(screen.getByTestId("sign-up-code")).toBeTruthy());
    expect(signUpCode).toHaveBeenCalledTimes(2);
  });

  it("follows the time the Rust side gives, not a number of its own", async () => {
    await opened({ ...CODE, shownForSeconds: 30 });
    await act(() => vi.advanceTimersByTime(30_000));
    expect(screen.queryByTestId("sign-up-code")).toBeNull();
    expect(screen.getByTestId("sign-up-code-hidden").textContent).toContain("30 seconds");
  });

  it("drops the code as soon as the window loses focus", async () => {
    await opened();
    await act(() => window.dispatchEvent(new Event("blur")));
    expect(screen.queryByTestId("sign-up-code")).toBeNull();
    expect(screen.getByTestId("sign-up-code-hidden").textContent).toContain("lost focus");
  });
});
