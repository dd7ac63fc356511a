// A modal dialog owns the keyboard from the moment it opens until it
// closes: it takes the focus (autofocus does nothing while another field
// has it), keeps Tab inside, and anything typed towards the page behind
// lands in the dialog instead, so a password can never end up in a form
// field behind it.

const FOCUSABLE = "input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex='-1'])";

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE));
}

/** The field a dialog wants typed into first: `[data-first]`, else its first input. */
function firstField(root: HTMLElement): HTMLElement | null {
  return root.querySelector<HTMLElement>("[data-first]") ?? root.querySelector<HTMLElement>("input:not([disabled])") ?? focusables(root)[0] ?? null;
}

/** Whether a key press would type a character into a text field. */
export function typesCharacter(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "altKey" | "metaKey">): boolean {
  return e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey;
}

export type ModalOptions = { onescape?: () => void };

/** Svelte action for a dialog's root element. */
export function modal(root: HTMLElement, options: ModalOptions = {}) {
  let opts = options;
  const previous = document.activeElement as HTMLElement | null;
  const take = () => {
    const f = firstField(root);
    if (f && !root.contains(document.activeElement)) f.focus();
  };
  // Take the focus now: whatever field had it must not get another key.
  if (previous && !root.contains(previous)) previous.blur();
  take();
  queueMicrotask(take);

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys belong to this dialog while it is open: no screen, function key
    // or PIN pad behind it hears them.
    e.stopImmediatePropagation();
    if (e.key.startsWith("F") && e.key.length > 1) e.preventDefault();
    if (e.key === "Escape") {
      e.preventDefault();
      opts.onescape?.();
      return;
    }
    const target = e.target as Node | null;
    const inside = !!target && root.contains(target);
    if (!inside) {
      // A key aimed at the page behind: it goes to the dialog instead.
      e.preventDefault();
      const f = firstField(root);
      f?.focus();
      if (f instanceof HTMLInputElement && typesCharacter(e)) {
        f.setRangeText(e.key, f.selectionStart ?? f.value.length, f.selectionEnd ?? f.value.length, "end");
        f.dispatchEvent(new Event("input", { bubbles: true }));
      }
      return;
    }
    if (e.key === "Tab") {
      const all = focusables(root);
      if (all.length === 0) return;
      const i = all.indexOf(document.activeElement as HTMLElement);
      const next = e.shiftKey ? (i <= 0 ? all.length - 1 : i - 1) : i === all.length - 1 || i < 0 ? 0 : i + 1;
      e.preventDefault();
      all[next]?.focus();
    }
  };
  // Text arriving by other routes (input methods, paste) is stopped too.
  const onBeforeInput = (e: Event) => {
    if (!root.contains(e.target as Node | null)) {
      e.preventDefault();
      take();
    }
  };
  const onFocusIn = (e: FocusEvent) => {
    if (!root.contains(e.target as Node | null)) take();
  };
  window.addEventListener("keydown", onKeyDown, true);
  window.addEventListener("beforeinput", onBeforeInput, true);
  window.addEventListener("paste", onBeforeInput, true);
  document.addEventListener("focusin", onFocusIn, true);
  return {
    update(next: ModalOptions) {
      opts = next;
    },
    destroy() {
      window.removeEventListener("keydown", onKeyDown, true);
      window.removeEventListener("beforeinput", onBeforeInput, true);
      window.removeEventListener("paste", onBeforeInput, true);
      document.removeEventListener("focusin", onFocusIn, true);
    },
  };
}
