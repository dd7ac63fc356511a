// Amount fields format as the agent types: "25000" shows as "Rp25.000".
// Only presentation lives here; the core parses and checks the amount.

/** Digits typed so far, without separators or the currency. */
export function amountDigits(text: string): string {
  return text.replace(/\D+/g, "").replace(/^0+(?=\d)/, "");
}

/** "25000" -> "Rp25.000"; empty stays empty. */
export function formatRupiahInput(text: string): string {
  const digits = amountDigits(text);
  if (digits === "") return "";
  return "Rp" + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}
