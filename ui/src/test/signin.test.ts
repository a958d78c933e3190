import { screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { FAKE_MESSAGES } from "../lib/backend/fake";
import { deferred, renderApp } from "./helpers";

const EMAIL = "demo.clinician@example.com";
const PASSWORD = "demo-password";

async function fillCredentials(user: ReturnType<typeof renderApp>["user"], email = EMAIL, password = PASSWORD) {
  await user.type(await screen.findByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), password);
}

describe("sign-in", () => {
  it("signs in without a second factor and shows the main screen", async () => {
    const { user, fake } = renderApp({ mfa: false, demo: false });
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("button", { name: /Alex Morgan/ })).toHaveAttribute("aria-haspopup", "menu");
    expect(await screen.findByRole("table", { name: "Patients" })).toBeInTheDocument();
    expect(fake.callsOf("signIn")[0]?.args).toEqual([EMAIL, PASSWORD]);
  });

  it("says the code went by SMS when the server does not name the number", async () => {
    const { user } = renderApp({ demo: false, maskedPhone: null });
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByLabelText("Verification code")).toHaveFocus();
    expect(screen.getByTestId("code-sent-to")).toHaveTextContent(
      "We sent a code by SMS to the mobile number on your account",
    );
  });

  it("asks for the SMS code, then verifies it", async () => {
    const { user, fake } = renderApp({ demo: false, maskedPhone: "+44 •••• ••• 789" });
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const code = await screen.findByLabelText("Verification code");
    expect(code).toHaveAttribute("autocomplete", "one-time-code");
    expect(code).toHaveAttribute("inputmode", "numeric");
    expect(code).toHaveAttribute("maxlength", "6");
    expect(code).toHaveFocus();
    expect(screen.getByText(/We sent a code to/)).toHaveTextContent("We sent a code to +44 •••• ••• 789");
    expect(screen.queryByTestId("sandbox-messages-url")).not.toBeInTheDocument();

    // A wrong code: the backend's message, and the field is cleared for another try.
    await user.type(code, "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(FAKE_MESSAGES.WrongCode);
    expect(screen.getByLabelText("Verification code")).toHaveValue("");

    await user.type(screen.getByLabelText("Verification code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("table", { name: "Patients" })).toBeInTheDocument();
    expect(fake.callsOf("submitCode").map((c) => c.args[0])).toEqual(["000000", "123456"]);
  });

  it("goes back from the code step to the password step, keeping the email", async () => {
    const { user } = renderApp({ demo: false });
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.click(await screen.findByRole("button", { name: "Back" }));
    expect(screen.getByLabelText("Email")).toHaveValue(EMAIL);
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.queryByLabelText("Verification code")).not.toBeInTheDocument();
  });

  it("shows the backend's message for a bad password and keeps the email", async () => {
    const { user } = renderApp({ demo: false });
    await fillCredentials(user, EMAIL, "wrong-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(FAKE_MESSAGES.BadCredentials);
    expect(screen.getByLabelText("Email")).toHaveValue(EMAIL);
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(screen.getByLabelText("Password")).toHaveFocus();
  });

  it.each(["Offline", "ServerError"] as const)("keeps what was typed after %s", async (code) => {
    const { user, fake } = renderApp({ demo: false });
    const message = `Simulated ${code}: the sentence comes from the backend.`;
    fake.fail("signIn", { code, message }, 1);
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(message);
    expect(screen.getByLabelText("Email")).toHaveValue(EMAIL);
    expect(screen.getByLabelText("Password")).toHaveValue(PASSWORD);

    // Trying again works once the failure is gone.
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByLabelText("Verification code")).toBeInTheDocument();
  });

  it("disables the button and shows progress while signing in", async () => {
    const { user, fake } = renderApp({ demo: false });
    const hold = deferred();
    fake.gate = (call) => (call.method === "signIn" ? hold.promise : undefined);
    await fillCredentials(user);
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const busy = await screen.findByRole("button", { name: /Signing in/ });
    expect(busy).toBeDisabled();
    hold.resolve();
    expect(await screen.findByLabelText("Verification code")).toBeInTheDocument();
  });
});

describe("demo mode", () => {
  it("shows the badge, the demo account, and fills it in", async () => {
    const { user } = renderApp({ demo: true });
    expect(await screen.findByText("Demo sandbox")).toBeVisible();
    const demoBox = screen.getByTestId("demo-credentials");
    expect(within(demoBox).getByText(EMAIL)).toBeInTheDocument();
    expect(within(demoBox).getByText(PASSWORD)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Use demo account" }));
    expect(screen.getByLabelText("Email")).toHaveValue(EMAIL);
    expect(screen.getByLabelText("Password")).toHaveValue(PASSWORD);

    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByLabelText("Verification code");
    expect(screen.getByText("Demo: the code was delivered to the sandbox message log:")).toBeInTheDocument();
    expect(screen.getByTestId("sandbox-messages-url")).toHaveTextContent("http://127.0.0.1:8787/sandbox/messages");
  });

  it("shows no demo affordances outside demo mode", async () => {
    renderApp({ demo: false });
    await screen.findByLabelText("Email");
    expect(screen.queryByText("Demo sandbox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Use demo account" })).not.toBeInTheDocument();
  });

  it("shows the demo badge in the main header", async () => {
    renderApp({ demo: true, savedSession: true });
    expect(await screen.findByRole("banner")).toHaveTextContent("Demo sandbox");
  });
});

describe("start-up", () => {
  it("says no server is configured (and does not offer sign-in)", async () => {
    const { fake } = renderApp({ demo: false, backendUrl: null });
    expect(await screen.findByRole("heading", { name: "No server is configured" })).toBeInTheDocument();
    expect(screen.getByTestId("not-configured")).toHaveTextContent(/contact your IT department/i);
    expect(screen.queryByLabelText("Email")).not.toBeInTheDocument();
    expect(fake.callsOf("resumeSession")).toHaveLength(0);
  });

  it("resumes a saved session straight into the main screen", async () => {
    renderApp({ savedSession: true });
    expect(await screen.findByRole("table", { name: "Patients" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Email")).not.toBeInTheDocument();
  });

  it("shows sign-in with the message when the saved session has expired", async () => {
    const { fake } = renderApp({ demo: false });
    fake.fail("resumeSession", { code: "SessionExpired", message: FAKE_MESSAGES.SessionExpired });
    expect(await screen.findByRole("alert")).toHaveTextContent(FAKE_MESSAGES.SessionExpired);
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
  });

  it("offers to try again when the app cannot start", async () => {
    const { user, fake } = renderApp();
    fake.fail("appInfo", { code: "Storage", message: "The app's data folder cannot be read." }, 1);
    expect(await screen.findByRole("alert")).toHaveTextContent("The app's data folder cannot be read.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getByLabelText("Email")).toBeInTheDocument());
  });
});
