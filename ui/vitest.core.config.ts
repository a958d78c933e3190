import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The UI's behaviour tests against the real core: each test file renders the app over the
// development host (`huma-clinician-dev-host`: the app's commands, its embedded sandbox, the OS
// keyring), so what they check is what the core decides and says. `npm run test:core`; the host
// binary is built by `cargo build --features dev-host` (scripts/test.sh does).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  test: {
    environment: "jsdom",
    include: ["src/core-test/**/*.test.ts"],
    setupFiles: ["src/core-test/setup.ts"],
    restoreMocks: true,
    // Each test starts its own host (a sandbox, a store, a keyring entry); two cores here.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
