// The templates API's shapes as the UI reads them (see docs/api.md).
import type { FieldKind, FieldRect } from '../../api/field-types.ts';

export interface TemplateRole {
  id: string;
  name: string;
  role: 'signer' | 'cc';
  order: number;
  accessCodePolicy: 'generated' | 'required';
  language: 'ja' | 'en';
  fields: number;
}

export interface Template {
  id: string;
  name: string;
  subject: string;
  message: string;
  placeholders: string[];
  /** The header row of a bulk send file for this template. */
  bulkColumns: string[];
  editable: boolean;
  documents: Array<{ id: string; name: string; pages: number; size: number }>;
  roles: TemplateRole[];
  /** The fields placed per role (テンプレートの入力項目). */
  fields: Array<{
    id: string;
    documentId: string;
    roleId: string;
    page: number;
    rect: FieldRect;
    kind: FieldKind;
    required: boolean;
    label: string | null;
  }>;
  updatedAt: string;
}

export interface TemplateSummary {
  id: string;
  name: string;
  subject: string;
  updatedAt: string;
}

export interface BulkReport {
  totalRows: number;
  validRows: number;
  invalidRows: number;
  columns: string[];
  errors: Array<{ row: number; column: string; code: string; message: { ja: string; en: string } }>;
}

export interface BulkProgress {
  id: string;
  totalRows: number;
  queued: number;
  sent: number;
  failed: number;
  pending: number;
  done: boolean;
}

export interface BulkRowResult {
  row: number;
  status: 'pending' | 'sent' | 'failed';
  envelopeId: string | null;
  envelopeName: string | null;
  errorCode: string | null;
}
