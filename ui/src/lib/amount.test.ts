import { describe, expect, it } from "vitest";
import { amountDigits, formatRupiahInput } from "./amount";

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
