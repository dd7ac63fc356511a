// Keyboard-first screens: a screen opens with its first field focused, so
// what the agent types after an F-key lands in that field and nowhere else.
// A screen marks its preferred field with `data-first`; otherwise the first
// input, select or textarea gets the focus. Some screens show their fields
// only once their data has loaded, so the screen is watched for a moment.

const FIELD = "input:not([disabled]):not([type=hidden]):not([type=file]), select:not([disabled]), textarea:not([disabled])";
/** How long a screen may take to show its first field. */
const WATCH_MS = 3000;

/** The field a screen wants typed into first, if it shows one yet. */
export function firstField(root: ParentNode): HTMLElement | null {
  return root.querySelector<HTMLElement>("[data-first]:not([disabled])") ?? root.querySelector<HTMLElement>(FIELD);
}

function isField(e: Element | null): boolean {
  return !!e && e.matches("input, select, textarea");
}

/**
 * Focuses the first field under `root` as soon as there is one, unless
 * something inside `root` already took the focus (autofocus) or `blocked`
 * says a dialog owns the keyboard. Returns a function that stops watching.
 */
export function focusFirstField(root: HTMLElement, blocked: () => boolean): () => void {
  let finished = false;
  const attempt = (): boolean => {
    if (finished) return true;
    if (blocked()) return false;
    const active = document.activeElement;
    if (active && root.contains(active) && isField(active)) return (finished = true);
    const f = firstField(root);
    if (!f) return false;
    f.focus();
    return (finished = true);
  };
  const watcher = new MutationObserver(() => {
    if (attempt()) stop();
  });
  const timer = setTimeout(() => stop(), WATCH_MS);
  function stop() {
    finished = true;
    watcher.disconnect();
    clearTimeout(timer);
  }
  if (attempt()) stop();
  else watcher.observe(root, { childList: true, subtree: true });
  return stop;
}

/** Moves the focus to the next field of `from`'s form (after a choice is made). */
export function focusNextField(from: HTMLElement) {
  const form = from.closest("form");
  if (!form) return;
  const all = Array.from(form.querySelectorAll<HTMLElement>(FIELD));
  const next = all[all.indexOf(from as HTMLElement) + 1];
  next?.focus();
}

/**
 * How long a result screen ignores Enter ("new transaction") after it
 * appears: a second Enter typed at the PIN pad right after the first must
 * not skip the result the customer is waiting to see.
 */
export const RESULT_ENTER_GUARD_MS = 1000;
