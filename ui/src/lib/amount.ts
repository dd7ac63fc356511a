// Amount fields format as the agent types: "25000" shows as "Rp25.000".
// As in id-ID, the dot groups thousands and the comma starts the sen:
// "10000,50" is Rp10.000,50, never Rp1.000.050. No keystroke silently
// changes an amount's magnitude: a comma is kept as typed and, where the
// operation takes no sen (every teller money flow), refused with a message.

/** Digits of the whole rupiah typed so far (before any comma), without separators. */
export function amountDigits(text: string): string {
  const whole = text.split(",")[0] ?? "";
  return whole.replace(/\D+/g, "").replace(/^0+(?=\d)/, "");
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** "25000" -> "Rp25.000"; "10000,5" -> "Rp10.000,5"; empty stays empty. */
export function formatRupiahInput(text: string): string {
  const comma = text.indexOf(",");
  const digits = amountDigits(text);
  if (comma < 0) return digits === "" ? "" : "Rp" + group(digits);
  // Everything after the first comma is sen; a second comma is dropped,
  // its digits stay where they were typed.
  const sen = text.slice(comma + 1).replace(/\D+/g, "");
  return "Rp" + group(digits === "" ? "0" : digits) + "," + sen;
}

export type AmountCheck =
  | { ok: true; rupiah: string; sen: string }
  | { ok: false; error: "vAmount" | "vAmountSen" | "vAmountSenDigits" };

/**
 * The amount a field holds, checked: `rupiah` is the whole rupiah as digits,
 * `sen` the two sen digits ("00" when none). Sen are refused unless
 * `allowSen`; a comma followed only by zeros ("10.000,00") is whole rupiah.
 */
export function checkAmount(text: string, allowSen = false): AmountCheck {
  const rupiah = amountDigits(text);
  const comma = text.indexOf(",");
  const senTyped = comma < 0 ? "" : text.slice(comma + 1).replace(/\D+/g, "");
  if (senTyped.length > 2) return { ok: false, error: "vAmountSenDigits" };
  const sen = senTyped.padEnd(2, "0");
  if (sen !== "00" && !allowSen) return { ok: false, error: "vAmountSen" };
  if (!/[1-9]/.test(rupiah + sen)) return { ok: false, error: "vAmount" };
  return { ok: true, rupiah: rupiah === "" ? "0" : rupiah, sen };
}
