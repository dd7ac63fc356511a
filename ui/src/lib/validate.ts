// Instant checks on the open-account form, field by field, so the agent
// sees what to fix while typing. The core checks the whole form again
// before anything is sent (crates/teller/src/validate.rs), and also checks the
// chosen codes against the bank's master lists; it has the last word. Both are
// tested against the same cases (validate.cases.json), so they agree.
import type { Key } from "./i18n";
import { checkAmount } from "./amount";

export type Problem = { key: Key; values?: Record<string, number> };
export type Problems = Partial<Record<string, Problem>>;

const digits = (s: string) => /^[0-9]+$/.test(s);

export type OpenForm = {
  name: string; email: string; mother_name: string; profession: string; last_education: string;
  status_nikah: string; pob: string; dob: string; ktp: string; gender: string; address: string;
  rt: string; rw: string; zip_code: string; kelurahan: string; kecamatan: string; city: string;
  state: string; hp: string; phone: string; income: string; jumlah_transaksi: string; deposit: string;
};

// The document marks every field Mandatory, email and phone included.
export const REQUIRED: (keyof OpenForm)[] = [
  "name", "email", "mother_name", "profession", "last_education", "status_nikah", "pob", "address",
  "kelurahan", "kecamatan", "city", "state", "phone", "income", "jumlah_transaksi", "gender",
];

/** Longest names (the document sets none; 100 refuses only junk) and free text, as the core. */
export const MAX_NAME = 100;
export const MAX_TEXT = 200;
const CAPS: [keyof OpenForm, number][] = [
  ["name", MAX_NAME], ["mother_name", MAX_NAME], ["pob", MAX_TEXT], ["address", MAX_TEXT],
  ["kelurahan", MAX_TEXT], ["kecamatan", MAX_TEXT], ["city", MAX_TEXT], ["state", MAX_TEXT],
];

/** A 16-digit NIK with a KTP's structure: province 11–94, birth day 01–31 (41–71
 * for women), month 01–12, serial not 0000 (so never all zeros). */
export function nikPlausible(nik: string): boolean {
  if (!(nik.length === 16 && digits(nik))) return false;
  const n = (a: number, b: number) => Number(nik.slice(a, b));
  const day = n(6, 8);
  return n(0, 2) >= 11 && n(0, 2) <= 94 && ((day >= 1 && day <= 31) || (day >= 41 && day <= 71))
    && n(8, 10) >= 1 && n(8, 10) <= 12 && n(12, 16) !== 0;
}

const WIB_MS = 7 * 3600 * 1000;

/** Age in whole years at the instant `now`, counted on its WIB (UTC+7) date, of
 * someone born on `dob` (exactly YYYY-MM-DD), or null. */
export function ageOn(dob: string, now: Date): number | null {
  const today = new Date(now.getTime() + WIB_MS);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  let age = today.getUTCFullYear() - y;
  const before = today.getUTCMonth() + 1 < mo || (today.getUTCMonth() + 1 === mo && today.getUTCDate() < d);
  if (before) age -= 1;
  return age;
}

/** Every problem with the form, keyed by field; empty when it may be sent. */
export function checkOpenAccount(f: OpenForm, today: Date = new Date()): Problems {
  const p: Problems = {};
  for (const k of REQUIRED) if (f[k].trim() === "") p[k] = { key: "vRequired" };
  for (const [k, max] of CAPS) if ([...f[k].trim()].length > max) p[k] = { key: "vTooLong", values: { n: max } };
  const ktp = f.ktp.trim();
  if (!(ktp.length === 16 && digits(ktp))) p.ktp = { key: "vNik", values: { n: ktp.replace(/\D/g, "").length } };
  else if (!nikPlausible(ktp)) p.ktp = { key: "vNikBad" };
  const age = ageOn(f.dob, today);
  if (age === null || age > 120 || age < 0) p.dob = { key: "vDob" };
  else if (age < 17) p.dob = { key: "vAge" };
  const hp = f.hp.trim();
  if (!(hp.startsWith("08") && hp.length >= 10 && hp.length <= 13 && digits(hp))) p.hp = { key: "vHp" };
  const phone = f.phone.trim();
  if (phone !== "" && !(digits(phone) && phone.length >= 6 && phone.length <= 13)) p.phone = { key: "vPhone" };
  const email = f.email.trim();
  if (email !== "" && (email.length > 254 || !/^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$/.test(email))) p.email = { key: "vEmail" };
  for (const k of ["rt", "rw"] as const) {
    const v = f[k].trim();
    if (!(digits(v) && v.length <= 3)) p[k] = { key: "vRtRw" };
  }
  if (f.gender.trim() !== "" && !["l", "p"].includes(f.gender.trim().toLowerCase())) p.gender = { key: "vGender" };
  const zip = f.zip_code.trim();
  if (!(zip.length === 5 && digits(zip))) p.zip_code = { key: "vZip" };
  const deposit = checkAmount(f.deposit);
  if (!deposit.ok) p.deposit = { key: deposit.error };
  return p;
}

/** Whether an account number can be sent (digits only, 1–20). */
export function accountOk(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && t.length <= 20 && digits(t);
}
