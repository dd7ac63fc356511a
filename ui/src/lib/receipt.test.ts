import { describe, expect, it } from "vitest";
import { checkNewSupervisor, receiptShortcut } from "./receipt";

describe("receipt shortcuts", () => {
  const body = { tagName: "BODY" };
  it("P prints and S saves, either case", () => {
    expect(receiptShortcut({ key: "p", target: body }, false)).toBe("print");
    expect(receiptShortcut({ key: "P", target: body }, false)).toBe("print");
    expect(receiptShortcut({ key: "s", target: body }, false)).toBe("pdf");
    expect(receiptShortcut({ key: "S", target: { tagName: "button" } }, false)).toBe("pdf");
    expect(receiptShortcut({ key: "Enter", target: body }, false)).toBeNull();
  });
  it("never fire while typing, with a modifier, or under a dialog", () => {
    for (const tagName of ["INPUT", "textarea", "SELECT"]) expect(receiptShortcut({ key: "p", target: { tagName } }, false)).toBeNull();
    expect(receiptShortcut({ key: "s", target: { tagName: "DIV", isContentEditable: true } }, false)).toBeNull();
    expect(receiptShortcut({ key: "p", ctrlKey: true, target: body }, false)).toBeNull();
    expect(receiptShortcut({ key: "s", metaKey: true, target: body }, false)).toBeNull();
    expect(receiptShortcut({ key: "p", target: body }, true)).toBeNull();
  });
});

describe("new supervisor", () => {
  it("needs a name, eight characters and the same password twice", () => {
    expect(checkNewSupervisor(" ", "rahasia123", "rahasia123")).toBe("supNameNeeded");
    expect(checkNewSupervisor("x".repeat(41), "rahasia123", "rahasia123")).toBe("supNameNeeded");
    expect(checkNewSupervisor("Wati", "pendek", "pendek")).toBe("supPasswordShort");
    expect(checkNewSupervisor("Wati", "rahasia123", "rahasia124")).toBe("supPasswordMismatch");
    expect(checkNewSupervisor("Wati", "rahasia123", "rahasia123")).toBeNull();
  });
});
