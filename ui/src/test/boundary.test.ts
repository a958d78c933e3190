// @vitest-environment node
/// <reference types="node" />
// The IPC boundary: @tauri-apps/* may be imported only under src/lib/backend/ (see eslint.config.js),
// and the markup stays within the strict CSP (no inline scripts or style attributes, no transitions).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

async function lint(code: string, filePath: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax");
}

describe("IPC boundary lint", () => {
  it.each([
    ["a static import", 'import { invoke } from "@tauri-apps/api/core";\nvoid invoke;\n'],
    ["a re-export", 'export { listen } from "@tauri-apps/api/event";\n'],
    ["a plugin", 'import * as fs from "@tauri-apps/plugin-fs";\nvoid fs;\n'],
    ["a dynamic import", 'void import("@tauri-apps/api/core");\n'],
  ])("rejects %s outside src/lib/backend/", async (_label, code) => {
    const messages = await lint(code, "src/lib/components/Sneaky.ts");
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toMatch(/Only src\/lib\/backend\/ may import @tauri-apps/);
  }, 30_000);

  it("rejects it in a Svelte component", async () => {
    const code = '<script lang="ts">\n  import { invoke } from "@tauri-apps/api/core";\n  void invoke;\n</script>\n';
    expect(await lint(code, "src/lib/components/Sneaky.svelte")).toHaveLength(1);
  }, 30_000);

  it("allows it inside src/lib/backend/", async () => {
    const code = 'import { invoke } from "@tauri-apps/api/core";\nvoid invoke;\n';
    expect(await lint(code, "src/lib/backend/other.ts")).toHaveLength(0);
  }, 30_000);
});

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

describe("strict CSP (default-src 'self'; style-src 'self'; script-src 'self')", () => {
  it("index.html has no inline script or style", () => {
    const html = readFileSync(join(root, "index.html"), "utf8");
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it.each(files(join(root, "src"), ".svelte").map((f) => [relative(root, f), f]))(
    "%s uses no style attribute, transition or external resource",
    (_name, file) => {
      const markup = readFileSync(file, "utf8").replace(/<script[\s\S]*?<\/script>/g, "").replace(/<style[\s\S]*?<\/style>/g, "");
      expect(markup).not.toMatch(/\sstyle=/); // style: directives (CSSOM) are fine
      expect(markup).not.toMatch(/\s(transition|in|out|animate):/); // Svelte injects <style> for these
      expect(markup).not.toMatch(/(src|href)="https?:/);
    },
  );
});
