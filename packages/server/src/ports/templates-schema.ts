/** Envelope templates and bulk sends (migration 021). */
export interface TemplatesSchema {
  /** A reusable envelope of an organisation: the envelope name (件名) and message may hold {{placeholders}}. */
  envelope_templates: {
    id: string;
    organization_id: string;
    created_by_user_id: string | null;
    name: string;
    subject: string;
    message: string;
    created_at: string;
    updated_at: string;
  };
  /** A template's PDFs, stored in the blob store like a draft's originals (one copy per template). */
  template_documents: {
    id: string;
    template_id: string;
    position: number;
    name: string;
    pages: number;
    size: number;
    sha256: string;
    blob: string;
  };
  /** A recipient role: who fills it is given when an envelope is made (API) or per CSV row (bulk send). */
  template_roles: {
    id: string;
    template_id: string;
    position: number;
    role_name: string;
    kind: 'signer' | 'cc';
    /** 0 for a CC role; signers sharing an order sign in parallel. */
    signing_order: number;
    /** `generated`: a 4-digit code is made when none is given; `required`: each envelope must give one. */
    access_code_policy: 'generated' | 'required';
    language: 'ja' | 'en';
  };
  /** Fields placed for a role (the model of envelope_fields). */
  template_fields: {
    id: string;
    template_id: string;
    document_id: string;
    role_id: string;
    position: number;
    page: number;
    rect: string;
    kind: 'seal' | 'date' | 'text' | 'checkbox';
    required: number;
    label: string | null;
  };
  /** One bulk send (一括送信) from a CSV; `submission_key` makes a double submission return the same batch. */
  bulk_sends: {
    id: string;
    organization_id: string;
    template_id: string;
    created_by_user_id: string | null;
    created_by_api_key_id: string | null;
    submission_key: string;
    file_name: string;
    total_rows: number;
    created_at: string;
  };
  /** A valid row of a bulk send: its recipients (access codes sealed) and the envelope made from it. */
  bulk_send_rows: {
    id: string;
    bulk_send_id: string;
    row_number: number;
    /** JSON { variables, people: [{ roleId, name, email }] } (access codes: bulk_send_row_codes). */
    data: string;
    status: 'pending' | 'sent' | 'failed';
    envelope_id: string | null;
    error_code: string | null;
    finished_at: string | null;
  };
  /**
   * The access codes of a pending row (migration 028), one per recipient that has one (`position` in the
   * row's people), sealed to the row's id where `inkan keys rotate` reseals them; deleted once the row is done.
   */
  bulk_send_row_codes: {
    row_id: string;
    position: number;
    access_code_sealed: string;
  };
}
