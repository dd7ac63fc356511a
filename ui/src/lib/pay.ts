// Paying a confirmed quote, shared by every money flow: exactly one `pay`
// per PIN entry. An expired session is reported as such (nothing was paid;
// the caller logs in again and quotes the same form again).
import { commands, type CommandError, type Transaction } from "./bindings";
import { app, isExpired } from "./app.svelte";

export type Paid =
  | { kind: "expired" }
  | { kind: "refused"; message: string }
  | { kind: "done"; transaction: Transaction; error: CommandError | null };

export async function payQuote(sid: string, pin: string): Promise<Paid> {
  app.sending = true;
  try {
    const r = await commands.pay(sid, pin);
    if (r.status === "error") return isExpired(r.error) ? { kind: "expired" } : { kind: "refused", message: r.error.message };
    if (r.data.status === "failed" && isExpired(r.data.error)) return { kind: "expired" };
    return { kind: "done", transaction: r.data.transaction, error: r.data.error };
  } finally {
    app.sending = false;
  }
}

/** A chosen file as the shell wants it: its name and base64 bytes. */
export function readImage(file: File): Promise<{ name: string; base64: string; preview: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error);
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ name: file.name, base64: url.slice(url.indexOf(",") + 1), preview: url });
    };
    reader.readAsDataURL(file);
  });
}
