import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// Plain Vite (no SvelteKit). The Tauri CLI runs `npm --prefix ui run dev|build` (see ../tauri.conf.json):
// dev server on a fixed port, built files in ui/dist.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Tauri prints its own output; don't wipe it.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
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
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
