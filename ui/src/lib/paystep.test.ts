import { describe, expect, it } from "vitest";
import { RESULT_ENTER_GUARD_MS } from "./focus";
import { cancelsOnLeave, payStepKey } from "./paystep";

const calm = { inDoubt: false, relogin: false, msSinceResult: 10_000 };

describe("pay step keys", () => {
  it("Esc at the confirm card goes back, Enter asks for the PIN", () => {
    expect(payStepKey("confirm", "Escape", calm)).toBe("back");
    expect(payStepKey("confirm", "Enter", calm)).toBe("pin");
  });
  it("a quote held by a doubt never reaches the PIN by Enter", () => {
    expect(payStepKey("confirm", "Enter", { ...calm, inDoubt: true })).toBeNull();
  });
  it("the PIN pad, a payment being sent and the re-login dialog own the keyboard", () => {
    for (const key of ["Escape", "Enter", "F2"]) {
      expect(payStepKey("pin", key, calm)).toBeNull();
      expect(payStepKey("sending", key, calm)).toBeNull();
      expect(payStepKey("confirm", key, { ...calm, relogin: true })).toBeNull();
    }
  });
  it("Enter at the result starts anew only after the guard", () => {
    expect(payStepKey("result", "Enter", { ...calm, msSinceResult: RESULT_ENTER_GUARD_MS - 1 })).toBeNull();
    expect(payStepKey("result", "Enter", { ...calm, msSinceResult: RESULT_ENTER_GUARD_MS })).toBe("new");
    expect(payStepKey("result", "Escape", calm)).toBeNull();
  });
  it("leaving cancels an open quote, never one being paid or already settled", () => {
    expect(cancelsOnLeave("confirm", false)).toBe(true);
    expect(cancelsOnLeave("pin", false)).toBe(true);
    expect(cancelsOnLeave("sending", false)).toBe(false);
    expect(cancelsOnLeave("result", false)).toBe(false);
    expect(cancelsOnLeave("confirm", true)).toBe(false);
  });
});
