/**
 * A modal dialog keeps the keyboard: Tab and Shift+Tab go round its own controls (those
 * inside its components' shadow roots too), and when it closes, the focus goes back to
 * the control that opened it.
 */

const FOCUSABLE = "button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";

/** The element that has the focus, looking inside shadow roots. */
export function deepActive(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

/** The focusable elements under `root`, in document order, shadow roots included. */
export function focusablesIn(root: Element | ShadowRoot): HTMLElement[] {
  const found: HTMLElement[] = [];
  for (const child of root.children) {
    if (child instanceof HTMLElement && child.matches(FOCUSABLE) && !child.hidden) found.push(child);
    if (child.shadowRoot) found.push(...focusablesIn(child.shadowRoot));
    found.push(...focusablesIn(child));
  }
  return found;
}

/** keydown on a dialog: Tab past its last control comes back to its first, and back. */
export function trapTab(e: KeyboardEvent): void {
  if (e.key !== "Tab") return;
  const all = focusablesIn(e.currentTarget as HTMLElement), active = deepActive();
  const first = all[0], last = all[all.length - 1];
  if (!first || !last) return;
  const outside = !active || !all.includes(active);
  if (e.shiftKey && (active === first || outside)) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && (active === last || outside)) { e.preventDefault(); first.focus(); }
}

/** Remembers who opened a dialog, to give the focus back when it closes. */
export class DialogFocus {
  private opener: HTMLElement | null = null;
  private wasOpen = false;

  /** After each render: `dialog` is the open dialog, or null. */
  update(dialog: HTMLElement | null): void {
    if (dialog && !this.wasOpen) {
      this.opener = deepActive();
      setTimeout(() => focusablesIn(dialog)[0]?.focus()); // after its components have drawn
    } else if (!dialog && this.wasOpen) {
      this.opener?.focus();
      this.opener = null;
    }
    this.wasOpen = dialog !== null;
  }
}
