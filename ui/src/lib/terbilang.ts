// The amount in words under an amount field while the agent types
// ("dua puluh lima ribu rupiah"). The confirm step and the receipt show the
// core's own terbilang; `terbilang.cases.json` is checked against both this
// and the Rust implementation (crates/money), so the two never disagree.
import { amountDigits, checkAmount } from "./amount";

const UNITS: readonly string[] = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"];
const SCALES = ["", "ribu", "juta", "miliar", "triliun", "kuadriliun", "kuintiliun"];

const unit = (i: number): string => UNITS[i] ?? "";

function belowThousand(n: number, out: string[]) {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 1) out.push("seratus");
  else if (hundreds > 1) out.push(unit(hundreds), "ratus");
  if (rest === 0) return;
  if (rest <= 11) out.push(unit(rest));
  else if (rest < 20) out.push(unit(rest - 10), "belas");
  else {
    out.push(unit(Math.floor(rest / 10)), "puluh");
    if (rest % 10 !== 0) out.push(unit(rest % 10));
  }
}

/** Words for a whole number of rupiah given as digits ("25000"). */
export function terbilangDigits(digits: string): string {
  const clean = amountDigits(digits);
  if (clean === "") return "";
  let n = BigInt(clean);
  if (n === 0n) return "nol rupiah";
  const groups: number[] = [];
  while (n > 0n) {
    groups.push(Number(n % 1000n));
    n /= 1000n;
  }
  if (groups.length > SCALES.length) return "";
  const words: string[] = [];
  for (let scale = groups.length - 1; scale >= 0; scale--) {
    const g = groups[scale] ?? 0;
    if (g === 0) continue;
    if (scale === 1 && g === 1) {
      words.push("seribu");
      continue;
    }
    belowThousand(g, words);
    if (scale > 0) words.push(SCALES[scale] ?? "");
  }
  return words.join(" ") + " rupiah";
}

/** The words for what an amount field shows ("Rp25.000"); empty when empty. */
export function amountWords(text: string): string {
  // Sen are not spoken here: an amount with sen shows its message instead
  // of words for a different amount.
  const c = checkAmount(text, true);
  if (c.ok && c.sen !== "00") return "";
  return terbilangDigits(amountDigits(text));
}
