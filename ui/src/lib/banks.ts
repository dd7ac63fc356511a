// Finding a bank in `bank/list` by what the agent remembers: part of its
// name or its code. Code matches come first, then name prefixes, then the rest.
import type { Bank } from "./bindings";

export function searchBanks(banks: Bank[], query: string): Bank[] {
  const q = query.trim().toLowerCase();
  if (q === "") return banks;
  const rank = (b: Bank): number => {
    const code = b.code.toLowerCase();
    const name = b.name.toLowerCase();
    if (code === q) return 0;
    if (code.startsWith(q)) return 1;
    if (name.startsWith(q)) return 2;
    if (name.split(/\s+/).some((w) => w.startsWith(q))) return 3;
    if (name.includes(q) || `${code} ${name}`.includes(q)) return 4;
    return 9;
  };
  return banks
    .map((b) => ({ b, r: rank(b) }))
    .filter((x) => x.r < 9)
    .sort((x, y) => x.r - y.r || (x.r <= 1 ? x.b.code.localeCompare(y.b.code) : x.b.name.localeCompare(y.b.name)))
    .map((x) => x.b);
}
