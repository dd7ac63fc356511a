// One language at a time (issue 15 item 4), for the UI's own catalogue:
// every key is said in both languages, and no string mixes them. The
// marker words come from the core's one definition (words::markers,
// exported into bindings.ts), the same lists the core's messages are
// checked against.
import { describe, expect, it } from "vitest";
import { catalogues, type Key } from "./i18n";
import { LANGUAGE_MARKERS } from "./bindings";

const { id: ID_MARKERS, en: EN_MARKERS, proper_nouns: PROPER_NOUNS } = LANGUAGE_MARKERS;

/** Whole words of `text` that mark the other language, quotes and placeholders aside. */
function foreign(text: string, markers: readonly string[]): string[] {
  const proper = new Set(PROPER_NOUNS.map((p) => p.toLowerCase()));
  const plain = text
    .replace(/\{[a-zA-Z]+\}/g, " ") // {n}, {name}: filled in later
    .replace(/["“][^"”]*["”]/g, " ") // quoted data is shown as it came
    .replace(/`[^`]*`/g, " "); // a command typed as written
  const words = plain.toLowerCase().match(/[\p{L}+.]+/gu) ?? [];
  const marks = new Set(markers);
  return words
    .map((w) => w.replace(/\.+$/, ""))
    .filter((w) => !proper.has(w) && marks.has(w));
}

describe("the UI's catalogue", () => {
  const keys = Object.keys(catalogues.id) as Key[];

  it("has the same keys in both languages, none empty", () => {
    expect(Object.keys(catalogues.en).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(catalogues.id[k].trim(), `id.${k}`).not.toBe("");
      expect(catalogues.en[k].trim(), `en.${k}`).not.toBe("");
    }
  });

  it("says each string wholly in its language", () => {
    const mixed: string[] = [];
    for (const k of keys) {
      const inId = foreign(catalogues.id[k], EN_MARKERS);
      if (inId.length) mixed.push(`id.${k}: ${inId.join(", ")} in "${catalogues.id[k]}"`);
      const inEn = foreign(catalogues.en[k], ID_MARKERS);
      if (inEn.length) mixed.push(`en.${k}: ${inEn.join(", ")} in "${catalogues.en[k]}"`);
    }
    expect(mixed).toEqual([]);
  });

  it("keeps the same placeholders in both languages", () => {
    const holes = (t: string) => (t.match(/\{[a-zA-Z]+\}/g) ?? []).sort();
    for (const k of keys) expect(holes(catalogues.en[k]), k).toEqual(holes(catalogues.id[k]));
  });

  it("finds a mixed string when there is one", () => {
    expect(foreign("Nomor rekening is not valid", EN_MARKERS)).toEqual(["is", "not"]);
    expect(foreign("The account belum aktif", ID_MARKERS)).toEqual(["belum"]);
    expect(foreign("Buka {name} di “settings.json”", EN_MARKERS)).toEqual([]);
  });
});
