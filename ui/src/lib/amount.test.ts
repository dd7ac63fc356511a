import { describe, expect, it } from "vitest";
import { amountDigits, checkAmount, formatRupiahInput } from "./amount";

describe("amount as you type", () => {
  it("groups thousands with dots and prefixes Rp", () => {
    expect(formatRupiahInput("25000")).toBe("Rp25.000");
    expect(formatRupiahInput("Rp25.0001")).toBe("Rp250.001");
    expect(formatRupiahInput("202696682")).toBe("Rp202.696.682");
    expect(formatRupiahInput("999")).toBe("Rp999");
  });
  it("drops what is not a digit and leading zeros", () => {
    expect(formatRupiahInput("")).toBe("");
    expect(formatRupiahInput("abc")).toBe("");
    expect(formatRupiahInput("00012")).toBe("Rp12");
    expect(amountDigits("Rp 1.000.000")).toBe("1000000");
    expect(formatRupiahInput("0")).toBe("Rp0");
  });
});

describe("a comma is the decimal separator (id-ID)", () => {
  it("keeps the comma where it was typed, never multiplying the amount", () => {
    // Typed a key at a time, as a person types "10000,50".
    let shown = "";
    for (const k of "10000,50") shown = formatRupiahInput(shown + k);
    expect(shown).toBe("Rp10.000,50");
    expect(amountDigits(shown)).toBe("10000");
    expect(formatRupiahInput(",5")).toBe("Rp0,5");
    expect(formatRupiahInput("Rp18.309.905,40")).toBe("Rp18.309.905,40");
  });
  it("refuses sen where the operation takes none, with a message", () => {
    expect(checkAmount("Rp10.000,50")).toEqual({ ok: false, error: "vAmountSen" });
    expect(checkAmount("Rp10.000,5")).toEqual({ ok: false, error: "vAmountSen" });
    expect(checkAmount("Rp10.000,505", true)).toEqual({ ok: false, error: "vAmountSenDigits" });
  });
  it("takes whole rupiah, and sen where allowed", () => {
    expect(checkAmount("Rp10.000")).toEqual({ ok: true, rupiah: "10000", sen: "00" });
    expect(checkAmount("Rp10.000,00")).toEqual({ ok: true, rupiah: "10000", sen: "00" });
    expect(checkAmount("Rp10.000,5", true)).toEqual({ ok: true, rupiah: "10000", sen: "50" });
    expect(checkAmount("")).toEqual({ ok: false, error: "vAmount" });
    expect(checkAmount("Rp0,00")).toEqual({ ok: false, error: "vAmount" });
  });
  it("never changes the magnitude of what was typed", () => {
    for (const typed of ["1", "12", "123", "1234", "12345", "1234567", "10000,50", "7,1"]) {
      let shown = "";
      for (const k of typed) shown = formatRupiahInput(shown + k);
      const [whole, sen = ""] = typed.split(",");
      expect(amountDigits(shown)).toBe(whole);
      expect(shown.split(",")[1] ?? "").toBe(sen);
    }
  });
});
