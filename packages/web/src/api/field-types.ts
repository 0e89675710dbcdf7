// Fields and seals (issue 11 part 4): the JSON of /api/v1/envelopes/{id}/fields, /api/sign/{token}/fields
// and /api/v1/organization/seal.

export type FieldKind = 'seal' | 'date' | 'text' | 'checkbox';
export const FIELD_KINDS: readonly FieldKind[] = ['seal', 'date', 'text', 'checkbox'];

/** A rectangle [x0, y0, x1, y1] in PDF points. */
export type FieldRect = [number, number, number, number];

export interface EnvelopeField {
  id: string;
  documentId: string;
  recipientId: string;
  /** 1-based. */
  page: number;
  rect: FieldRect;
  kind: FieldKind;
  required: boolean;
  label: string | null;
  value: string | null;
  filledAt: string | null;
}

/** A field as the sender places it (PUT body). */
export interface FieldPlacement {
  documentId: string;
  recipientId: string;
  page: number;
  rect: FieldRect;
  kind: FieldKind;
  required?: boolean;
  label?: string | null;
}

export interface OrganizationSeal {
  mediaType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  size: number;
  sha256: string;
  updatedAt: string;
}

/** Default size of a new field in PDF points (width, height). */
export const DEFAULT_FIELD_SIZE: Record<FieldKind, [number, number]> = {
  seal: [54, 54],
  date: [120, 20],
  text: [180, 20],
  checkbox: [16, 16],
};
