import { describe, expect, it } from "vitest";
import cases from "./terbilang.cases.json";
import { amountWords, terbilangDigits } from "./terbilang";
import { searchBanks } from "./banks";
import { ageOn, checkOpenAccount, accountOk, type OpenForm } from "./validate";
import { niceAxis, bars, formatCount } from "./chart";
import { catalogues, fill } from "./i18n";

describe("terbilang", () => {
  it("agrees with every shared case (the Rust core is held to the same file)", () => {
    expect(cases.cases.length).toBeGreaterThan(30);
    for (const c of cases.cases) expect(terbilangDigits(c.rupiah)).toBe(c.words);
  });
  it("reads what the amount field shows", () => {
    expect(amountWords("Rp25.000")).toBe("dua puluh lima ribu rupiah");
    expect(amountWords("")).toBe("");
    expect(amountWords("Rp0")).toBe("nol rupiah");
  });
});

describe("bank search", () => {
  const banks = [
    { code: "008", name: "MANDIRI" },
    { code: "009", name: "BNI" },
    { code: "002", name: "BRI" },
    { code: "014", name: "BCA" },
    { code: "451", name: "BANK SYARIAH INDONESIA" },
  ];
  it("finds by code first, then by name", () => {
    expect(searchBanks(banks, "008").map((b) => b.name)).toEqual(["MANDIRI"]);
    expect(searchBanks(banks, "00").map((b) => b.code)).toEqual(["002", "008", "009"]);
    expect(searchBanks(banks, "mand").map((b) => b.code)).toEqual(["008"]);
    expect(searchBanks(banks, "syariah").map((b) => b.code)).toEqual(["451"]);
    expect(searchBanks(banks, "xyz")).toEqual([]);
    expect(searchBanks(banks, "  ")).toHaveLength(5);
  });
});

const good: OpenForm = {
  name: "Gabymars Yofie", email: "gaby@email.com", mother_name: "Mamih", profession: "1", last_education: "3",
  status_nikah: "Lajang", pob: "Surabaya", dob: "1997-08-01", ktp: "3515014108970001", gender: "l", address: "Jl. Waru 1",
  rt: "022", rw: "001", zip_code: "61256", kelurahan: "Waru", kecamatan: "Waru", city: "Sidoarjo", state: "Jawa Timur",
  hp: "08998321234", phone: "0319909221", income: "1", jumlah_transaksi: "1", deposit: "Rp100.000",
};
const today = new Date(Date.UTC(2026, 10, 23));

describe("open-account validation", () => {
  it("passes a good form", () => expect(checkOpenAccount(good, today)).toEqual({}));
  it("says which field is wrong and why", () => {
    const cases: [Partial<OpenForm>, string, string][] = [
      [{ ktp: "12345678900876" }, "ktp", "vNik"],
      [{ ktp: "351501410897000X" }, "ktp", "vNik"],
      [{ dob: "01-08-1997" }, "dob", "vDob"],
      [{ dob: "2010-01-01" }, "dob", "vAge"],
      [{ dob: "2999-01-01" }, "dob", "vDob"],
      [{ dob: "1997-02-30" }, "dob", "vDob"],
      [{ hp: "12345" }, "hp", "vHp"],
      [{ phone: "12ab" }, "phone", "vPhone"],
      [{ email: "gaby@" }, "email", "vEmail"],
      [{ zip_code: "1234" }, "zip_code", "vZip"],
      [{ rt: "1234" }, "rt", "vRtRw"],
      [{ mother_name: " " }, "mother_name", "vRequired"],
      [{ deposit: "Rp0" }, "deposit", "vAmount"],
    ];
    for (const [change, field, key] of cases) {
      const p = checkOpenAccount({ ...good, ...change }, today);
      expect(Object.keys(p), JSON.stringify(change)).toEqual([field]);
      expect(p[field]?.key).toBe(key);
    }
    expect(checkOpenAccount({ ...good, ktp: "1234" }, today).ktp?.values).toEqual({ n: 4 });
  });
  it("counts age to the day", () => {
    expect(ageOn("2009-11-23", today)).toBe(17);
    expect(ageOn("2009-11-24", today)).toBe(16);
  });
  it("accepts account numbers of digits only", () => {
    expect(accountOk("14047")).toBe(true);
    expect(accountOk("14 047")).toBe(false);
    expect(accountOk("")).toBe(false);
  });
});

describe("charts", () => {
  it("picks a round axis above the largest value", () => {
    expect(niceAxis(0)).toEqual({ top: 4, step: 1 });
    expect(niceAxis(7)).toEqual({ top: 8, step: 2 });
    expect(niceAxis(93)).toEqual({ top: 100, step: 25 });
    expect(niceAxis(1234)).toEqual({ top: 1500, step: 500 });
  });
  it("lays bars out in proportion", () => {
    const b = bars([{ title: "a", count: 50 }, { title: "b", count: 100 }], 200, 100, 100);
    expect(b[0]).toMatchObject({ height: 50, y: 50, label: "a" });
    expect(b[1]).toMatchObject({ height: 100, y: 0 });
    expect(b[1]!.x).toBeGreaterThan(b[0]!.x + b[0]!.width);
    expect(bars([], 100, 100, 10)).toEqual([]);
  });
  it("formats counts the Indonesian way", () => expect(formatCount(1234567)).toBe("1.234.567"));
});

describe("catalogues", () => {
  it("have the same keys in both languages and fill placeholders", () => {
    expect(Object.keys(catalogues.en).sort()).toEqual(Object.keys(catalogues.id).sort());
    expect(fill(catalogues.id.todayCount, { n: 2 })).toBe("2 transaksi hari ini");
    for (const [k, v] of Object.entries(catalogues.id)) {
      const en = catalogues.en[k as keyof typeof catalogues.id];
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
      expect(ph(en), k).toBe(ph(v));
    }
  });
});
