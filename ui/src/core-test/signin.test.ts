// Sign-in against the real core and its sandbox (which refuses as Huma's server does): what the
// clinician is told for a wrong password and a wrong code is the core's, mapped from Huma's codes.
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import { useHost } from "./host";

const host = useHost();

describe("sign-in against the core", () => {
  it("says when the password or the code is wrong, and keeps the email", async () => {
    const user = userEvent.setup();
    render(App, { props: { backend: host.backend } });
    await user.click(await screen.findByRole("button", { name: "Use demo account" }));
    const password = screen.getByLabelText("Password");
    await user.clear(password);
    await user.type(password, "not-the-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email address or password is not right.");
    expect(screen.getByLabelText("Email")).toHaveValue("amelia.hart@demo.huma.local");

    await user.click(screen.getByRole("button", { name: "Use demo account" }));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("Verification code"), "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("That code is not right. Check the latest SMS and try again."),
    );
  });
});
