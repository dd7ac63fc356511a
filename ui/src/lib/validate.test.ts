import { describe, expect, it } from "vitest";
import shared from "./validate.cases.json";
import { ageOn, checkOpenAccount, nikPlausible, type OpenForm } from "./validate";

// The core (crates/teller/src/validate.rs) is held to the same cases file.
describe("open-account rules shared with the core", () => {
  it("agrees with every shared case", () => {
    expect(shared.cases.length).toBeGreaterThan(20);
    for (const c of shared.cases) {
      const form = { ...(shared.form as OpenForm), ...(c.change as Partial<OpenForm>) };
      const now = new Date((c as { now?: string }).now ?? shared.now);
      const p = checkOpenAccount(form, now);
      expect(Object.keys(p), c.why).toEqual(c.field === null ? [] : [c.field]);
    }
  });
  it("counts the age on the WIB date, not the UTC one", () => {
    // 18:00 UTC on 28 Nov is 01:00 WIB on 29 Nov.
    expect(ageOn("2009-11-29", new Date("2026-11-28T18:00:00Z"))).toBe(17);
    expect(ageOn("2009-11-29", new Date("2026-11-28T16:59:00Z"))).toBe(16);
  });
  it("refuses an all-zero NIK", () => {
    expect(nikPlausible("0000000000000000")).toBe(false);
    expect(nikPlausible("3515014108970001")).toBe(true);
  });
});
