import { describe, expect, it } from "vitest";
import { backspace, complete, dots, pressDigit } from "./pin";

describe("PIN pad", () => {
  it("takes six digits and no more", () => {
    let pin = "";
    for (const d of "3595691") pin = pressDigit(pin, d);
    expect(pin).toBe("359569");
    expect(complete(pin)).toBe(true);
  });
  it("ignores what is not a digit", () => {
    expect(pressDigit("12", "a")).toBe("12");
    expect(pressDigit("12", "Enter")).toBe("12");
  });
  it("shows dots, never digits", () => {
    expect(dots("359")).toBe("●●●○○○");
    expect(dots("359")).not.toContain("3");
    expect(backspace("359")).toBe("35");
  });
});
