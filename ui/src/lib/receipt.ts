// Receipt and supervisor logic the screens share, kept free of Svelte so
// it can be unit-tested.
import type { ErrorCode } from "./bindings";
import type { Key } from "./i18n";

/** The shortest supervisor password the core accepts (supervisor crate). */
export const MIN_SUPERVISOR_PASSWORD = 8;

export type ReceiptAction = "print" | "pdf";

/** What a key press asks of the receipt: the minimum of a keyboard event. */
export type KeyPress = {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  target?: { tagName?: string; isContentEditable?: boolean } | null;
};

/**
 * P prints and S saves the PDF on the result screen, but never while the
 * agent types in a field, with a modifier held, or when a dialog is open.
 */
export function receiptShortcut(e: KeyPress, dialogOpen: boolean): ReceiptAction | null {
  if (dialogOpen || e.ctrlKey || e.altKey || e.metaKey) return null;
  const tag = (e.target?.tagName ?? "").toUpperCase();
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.target?.isContentEditable) return null;
  const k = e.key.toLowerCase();
  return k === "p" ? "print" : k === "s" ? "pdf" : null;
}

/** What is wrong with a new supervisor before it is sent, as a catalogue key. */
export function checkNewSupervisor(name: string, password: string, repeat: string): Key | null {
  const n = name.trim();
  if (n.length === 0 || n.length > 40) return "supNameNeeded";
  if ([...password].length < MIN_SUPERVISOR_PASSWORD) return "supPasswordShort";
  if (password !== repeat) return "supPasswordMismatch";
  return null;
}

/** Error codes after which the supervisor dialog stays open to try again. */
export const SUPERVISOR_RETRY_CODES: readonly ErrorCode[] = ["SUPERVISOR_WRONG", "SUPERVISOR_LOCKED", "SUPERVISOR_APPROVAL_EXPIRED", "SUPERVISOR_DISABLED"];
