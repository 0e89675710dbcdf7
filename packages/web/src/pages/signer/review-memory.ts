// Where the signer was in the review, kept in sessionStorage so that a reload comes back to the same
// tab, page and spot, with the ✓ 確認済み marks. Keyed by envelope and recipient (neither is secret);
// never the access code, the link token or anything of the documents' contents.

/** The page and spot (0–1 into the page) last shown; the viewer's ViewerPosition. */
export interface ViewerPosition {
  page: number;
  offset: number;
}

/** What is remembered of one review. */
export interface ReviewMemory {
  /** The open tab (document index). */
  tab: number;
  /** Per document id: the page and spot last shown. */
  positions: Record<string, ViewerPosition>;
  /** Ids of the documents whose last page has been in view. */
  reviewed: string[];
}

const EMPTY: ReviewMemory = { tab: 0, positions: {}, reviewed: [] };
// A stored value larger than this is not ours (or is corrupted): ignored.
const MAX_STORED = 64 * 1024;

/** The storage key of a review. */
export function reviewKey(envelopeId: string, recipientId: string): string {
  return `inkan.review.${envelopeId}.${recipientId}`;
}

/** Reads a remembered review; anything malformed reads as a fresh start. */
export function loadReview(key: string | null): ReviewMemory {
  if (!key) return EMPTY;
  try {
    const raw = window.sessionStorage.getItem(key);
    if (!raw || raw.length > MAX_STORED) return EMPTY;
    const value = JSON.parse(raw) as Partial<ReviewMemory>;
    const positions: Record<string, ViewerPosition> = {};
    if (value.positions && typeof value.positions === 'object') {
      for (const [id, position] of Object.entries(value.positions).slice(0, 100)) {
        const page = Number((position as Partial<ViewerPosition>)?.page);
        const offset = Number((position as Partial<ViewerPosition>)?.offset);
        if (Number.isInteger(page) && page >= 1 && page <= 100_000 && offset >= 0 && offset <= 1)
          positions[id] = { page, offset };
      }
    }
    return {
      tab: Number.isInteger(value.tab) && (value.tab as number) >= 0 ? (value.tab as number) : 0,
      positions,
      reviewed: Array.isArray(value.reviewed)
        ? value.reviewed.filter((id): id is string => typeof id === 'string').slice(0, 100)
        : [],
    };
  } catch {
    // Storage disabled or a value we cannot read: start at the top.
    return EMPTY;
  }
}

/** Writes a review's memory; a full or disabled storage only loses the convenience. */
export function saveReview(key: string | null, memory: ReviewMemory): void {
  if (!key) return;
  try {
    window.sessionStorage.setItem(key, JSON.stringify(memory));
  } catch {
    // Not fatal: the position is then lost on reload.
  }
}
