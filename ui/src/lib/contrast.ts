// The header takes the bank's colour (warna_bank); its text must stay
// readable on it (WCAG contrast ≥ 4.5:1), so pick dark or white text.

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of "#rrggbb" (or "#rgb"); null if not a colour. */
export function luminance(hex: string): number | null {
  const h = hex.replace(/^#/, "");
  const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
  if (!/^[0-9a-fA-F]{6}$/.test(full)) return null;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

export function contrast(a: number, b: number): number {
  const [hi, lo] = a > b ? [a, b] : [b, a];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour with the better contrast on `background`. */
export function textOn(background: string): "#ffffff" | "#1f2328" {
  const bg = luminance(background);
  if (bg === null) return "#ffffff";
  const dark = luminance("#1f2328") ?? 0;
  return contrast(bg, 1) >= contrast(bg, dark) ? "#ffffff" : "#1f2328";
}
