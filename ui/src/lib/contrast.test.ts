import { describe, expect, it } from "vitest";
import { contrast, luminance, textOn } from "./contrast";

describe("header text on the bank colour", () => {
  it("uses dark text on BNI orange, where white would be under 4.5:1", () => {
    const orange = luminance("#ff6f00")!;
    expect(contrast(orange, 1)).toBeLessThan(4.5);
    expect(textOn("#ff6f00")).toBe("#1f2328");
    expect(contrast(orange, luminance("#1f2328")!)).toBeGreaterThanOrEqual(4.5);
  });
  it("uses white on dark colours and on nonsense", () => {
    expect(textOn("#003d79")).toBe("#ffffff");
    expect(textOn("#33475b")).toBe("#ffffff");
    expect(textOn("not a colour")).toBe("#ffffff");
  });
});
