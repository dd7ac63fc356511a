// The confirm → PIN → result step every money flow shares, its key rules
// kept free of Svelte so they can be unit-tested (components/PayStep.svelte).
import { RESULT_ENTER_GUARD_MS } from "./focus";

export type PayStepName = "confirm" | "pin" | "sending" | "result";

/** What a key asks of the pay step, if anything. */
export type PayStepAction = "back" | "pin" | "new" | null;

/**
 * The key rules: Esc at the confirm card goes back (the quote is cancelled);
 * Enter there asks for the PIN unless the quote is held by a doubt; Enter at
 * the result starts anew, but not within {@link RESULT_ENTER_GUARD_MS} of the
 * result appearing (a second Enter typed at the PIN must not skip the result
 * and its receipt). The PIN pad and a payment being sent own the keyboard,
 * and so does the re-login dialog.
 */
export function payStepKey(
  step: PayStepName,
  key: string,
  o: { inDoubt: boolean; relogin: boolean; msSinceResult: number },
): PayStepAction {
  if (o.relogin || step === "pin" || step === "sending") return null;
  if (key === "Escape") return step === "confirm" ? "back" : null;
  if (key === "Enter" && step === "confirm") return o.inDoubt ? null : "pin";
  if (key === "Enter" && step === "result") return o.msSinceResult < RESULT_ENTER_GUARD_MS ? null : "new";
  return null;
}

/** Whether leaving the screen now must cancel the open quote (never one being paid). */
export function cancelsOnLeave(step: PayStepName, settled: boolean): boolean {
  return !settled && (step === "confirm" || step === "pin");
}
