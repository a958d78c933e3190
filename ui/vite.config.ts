import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

/** Where `huma-clinician-dev-host` listens (its default port). */
const DEV_HOST = process.env.HUMA_DEV_HOST_URL ?? "http://127.0.0.1:1430";

// Plain Vite (no SvelteKit). The Tauri CLI runs `npm --prefix ui run dev|build` (see ../tauri.conf.json):
// dev server on a fixed port, built files in ui/dist.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Tauri prints its own output; don't wipe it.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // In a plain browser the UI calls the development host (`scripts/dev_web.sh` starts both);
    // inside Tauri these routes are never asked for.
    proxy: Object.fromEntries(["/cmd", "/events"].map((route) => [route, DEV_HOST])),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The webviews Tauri v2 targets (WebView2, WKWebView on macOS 11+, WebKitGTK 2.40+).
    target: ["es2022", "chrome105", "safari15"],
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    // Against the real core: `npm run test:core` (vitest.core.config.ts).
    exclude: ["src/core-test/**"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
