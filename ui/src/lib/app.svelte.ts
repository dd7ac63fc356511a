// The app's shared state and the one door to the shell: every command goes
// through `call`, which turns an expired session into the re-login dialog
// and then repeats the same call, so the screen the agent was on (and what
// was typed there) stays as it was.
import { commands, type AppInfo, type CommandError, type ErrorCode, type Profile, type Result, type Transaction } from "./bindings";
import { catalogues, fill, type Key, type Lang } from "./i18n";

/** A supervisor-approved action waiting for the name and password. */
type Approval = {
  title: Key;
  /** Values for the title's placeholders (the sid, a supervisor's name). */
  values?: Record<string, string | number>;
  run: (supervisor: string, password: string) => Promise<Result<unknown, CommandError>>;
  done: (r: Result<unknown, CommandError> | null) => void;
};

export type Screen =
  | "login"
  | "home"
  | "check-account"
  | "deposit"
  | "intrabank"
  | "interbank"
  | "open-account"
  | "customer-balance"
  | "history"
  | "dashboard"
  | "settings"
  | "change-password"
  | "statements"
  | "armada";

export const SESSION_CODES: readonly ErrorCode[] = ["SESSION_NOT_FOUND", "NOT_LOGGED_IN"];

class AppState {
  lang = $state<Lang>("id");
  info = $state<AppInfo | null>(null);
  profile = $state<Profile | null>(null);
  screen = $state<Screen>("login");
  balance = $state<string | null>(null);
  today = $state<Transaction[]>([]);
  doubts = $state<Transaction[]>([]);
  /** Set while the re-login dialog is open: why it opened. */
  relogin = $state<"expired" | "locked" | null>(null);
  /** An unexpected script error, shown rather than swallowed. */
  fault = $state<string | null>(null);
  /** No supervisor exists yet: the first-start dialog asks for one. */
  supervisorSetup = $state(false);
  /** The supervisor approval dialog, while open. */
  approval = $state<Approval | null>(null);
  /** The last supervisor who approved (a name, never a password). */
  lastSupervisor = $state("");
  /** A screen is sending a payment: nothing may interrupt it. */
  sending = $state(false);
  /** A PIN pad is open: function keys must not take the screen from under it. */
  pinOpen = $state(false);
  private waiting: Array<(ok: boolean) => void> = [];

  t = (k: Key, values?: Record<string, string | number>): string => {
    const text = catalogues[this.lang][k];
    return values ? fill(text, values) : text;
  };

  /** Asks for the password again; resolves true once logged in again. */
  askRelogin(why: "expired" | "locked"): Promise<boolean> {
    this.relogin = why;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  reloginDone(ok: boolean) {
    this.relogin = null;
    const w = this.waiting;
    this.waiting = [];
    w.forEach((r) => r(ok));
    if (!ok) this.loggedOut();
  }

  /** Whether a dialog (re-login, supervisor) has the keyboard. */
  get dialogOpen(): boolean {
    return !!this.relogin || this.supervisorSetup || !!this.approval;
  }

  /**
   * Asks a supervisor to approve `run`; resolves with its result, or null
   * when cancelled (or when another dialog is already open).
   */
  askSupervisor<T>(title: Key, run: (supervisor: string, password: string) => Promise<Result<T, CommandError>>, values?: Record<string, string | number>): Promise<Result<T, CommandError> | null> {
    if (this.dialogOpen) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.approval = {
        title,
        values,
        run,
        done: (r) => {
          this.approval = null;
          resolve(r as Result<T, CommandError> | null);
        },
      };
    });
  }

  loggedOut() {
    this.approval?.done(null);
    this.supervisorSetup = false;
    this.profile = null;
    this.balance = null;
    this.today = [];
    this.screen = "login";
  }

  async refresh() {
    if (!this.profile) return;
    const d = await call(() => commands.inDoubt());
    if (d.status === "ok") this.doubts = d.data;
    if (!this.profile.is_agent) return;
    const t = await call(() => commands.today());
    if (t.status === "ok") this.today = t.data;
    const b = await call(() => commands.agentBalance());
    if (b.status === "ok") this.balance = b.data.balance?.display ?? null;
  }
}

export const app = new AppState();

/**
 * Runs a command. When the session has expired (and someone was logged in),
 * the re-login dialog opens; after a good login the same command runs again.
 */
export async function call<T>(run: () => Promise<Result<T, CommandError>>): Promise<Result<T, CommandError>> {
  const r = await run();
  if (r.status === "error" && SESSION_CODES.includes(r.error.code) && app.profile) {
    const ok = await app.askRelogin("expired");
    if (ok) return run();
  }
  return r;
}

export function isExpired(e: CommandError | null | undefined): boolean {
  return !!e && SESSION_CODES.includes(e.code);
}
