// A one-shot message carried across an in-app navigation (e.g. "sent" shown on the next page).

export interface Flash {
  tone: 'success' | 'error';
  text: string;
}

let pending: Flash | null = null;

/** Leaves a message for the next page. */
export function setFlash(flash: Flash): void {
  pending = flash;
}

/** Takes the pending message, if any (it is shown once). */
export function takeFlash(): Flash | null {
  const flash = pending;
  pending = null;
  return flash;
}
