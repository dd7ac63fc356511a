// Paying a confirmed quote, shared by every money flow: exactly one `pay`
// per PIN entry. An expired session is reported as such (nothing was paid;
// the caller logs in again and quotes the same form again). An error that
// says the outcome is unknown (the request may have left: e.g. the journal
// could not record the answer) is DALAM PROSES, never a refusal: the form
// must not invite the agent to send it again.
import { commands, type CommandError, type Transaction } from "./bindings";
import { app, isExpired } from "./app.svelte";

export type Paid =
  | { kind: "expired" }
  | { kind: "refused"; message: string }
  | { kind: "unknown"; sid: string; error: CommandError }
  | { kind: "done"; transaction: Transaction; error: CommandError | null };

export async function payQuote(sid: string, pin: string): Promise<Paid> {
  app.sending = true;
  try {
    const r = await commands.pay(sid, pin);
    if (r.status === "error") {
      if (r.error.outcome_unknown) return { kind: "unknown", sid, error: r.error };
      return isExpired(r.error) ? { kind: "expired" } : { kind: "refused", message: r.error.message };
    }
    if (r.data.status === "failed" && isExpired(r.data.error)) return { kind: "expired" };
    return { kind: "done", transaction: r.data.transaction, error: r.data.error };
  } finally {
    app.sending = false;
  }
}

/** The largest KTP/photo the platform takes (the shell checks it again). */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/** A chosen file bigger than {@link MAX_IMAGE_BYTES}: refused before it is read. */
export class ImageTooLarge extends Error {}

/** A chosen file as the shell wants it: its name and base64 bytes. */
export function readImage(file: File): Promise<{ name: string; base64: string; preview: string }> {
  // The size is known before reading: a huge file is never read into memory.
  if (file.size > MAX_IMAGE_BYTES) return Promise.reject(new ImageTooLarge(file.name));
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
