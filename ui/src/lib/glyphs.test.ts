// No glyph on screen may depend on an emoji or symbol font the agent's PC
// may not have (it renders as an empty box): icons are inline SVG
// (lib/icons). Comments may use any character; the PIN dots (● ○) are in
// every system font and stay.
import { describe, expect, it } from "vitest";

// Every source file of the UI, as text (Vite reads them at test time).
const sources = import.meta.glob(["../**/*.svelte", "../**/*.ts", "!../**/*.test.ts", "!./bindings.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

// Arrows, technical symbols, dingbats, geometric shapes, emoji and friends.
const SYMBOL = /[\u2190-\u21FF\u2300-\u23FF\u2460-\u24FF\u25A0-\u25CA\u25CC-\u25CE\u25D0-\u25FF\u2600-\u27BF\u27F0-\u2BFF\u{1F000}-\u{1FFFF}]/u;

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/<!--[\s\S]*?-->/g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}

describe("glyphs", () => {
  it("uses no symbol-font glyph in the UI's code or catalogues", () => {
    const found: string[] = [];
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    for (const [f, text] of Object.entries(sources)) {
      withoutComments(text).split("\n").forEach((line, i) => {
        const m = line.match(SYMBOL);
        if (m) found.push(`${f}:${i + 1}: ${m[0]} (U+${m[0].codePointAt(0)!.toString(16).toUpperCase()})`);
      });
    }
    expect(found).toEqual([]);
  });
});
