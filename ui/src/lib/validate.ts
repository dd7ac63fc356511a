// Instant checks on the open-account form, field by field, so the agent
// sees what to fix while typing. The core checks the whole form again
// before anything is sent (crates/teller/src/validate.rs) and has the last word.
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

export const REQUIRED: (keyof OpenForm)[] = [
  "name", "mother_name", "profession", "last_education", "status_nikah", "pob", "address",
  "kelurahan", "kecamatan", "city", "state", "income", "jumlah_transaksi", "gender",
];

/** Age in whole years on `today` of someone born on `dob` (YYYY-MM-DD), or null. */
export function ageOn(dob: string, today: Date): number | null {
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
  const ktp = f.ktp.trim();
  if (!(ktp.length === 16 && digits(ktp))) p.ktp = { key: "vNik", values: { n: ktp.replace(/\D/g, "").length } };
  const age = ageOn(f.dob, today);
  if (age === null || age > 120 || age < 0) p.dob = { key: "vDob" };
  else if (age < 17) p.dob = { key: "vAge" };
  const hp = f.hp.trim();
  if (!(hp.startsWith("08") && hp.length >= 10 && hp.length <= 13 && digits(hp))) p.hp = { key: "vHp" };
  const phone = f.phone.trim();
  if (phone !== "" && !(digits(phone) && phone.length >= 6 && phone.length <= 13)) p.phone = { key: "vPhone" };
  const email = f.email.trim();
  if (email !== "" && !/^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$/.test(email)) p.email = { key: "vEmail" };
  for (const k of ["rt", "rw"] as const) {
    const v = f[k].trim();
    if (!(digits(v) && v.length <= 3)) p[k] = { key: "vRtRw" };
  }
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
