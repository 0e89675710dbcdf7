// The address book's JSON (docs/api.md, "Address book"): never the registered code, only that there is one.

/** A counterparty (取引先) of the organisation. */
export interface Contact {
  id: string;
  companyName: string;
  department: string | null;
  personName: string;
  email: string;
  phone: string | null;
  note: string | null;
  registeredSigner: { name: string; email: string; language: 'ja' | 'en'; registeredAt: string } | null;
  pendingRequest: { requestedAt: string; expiresAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** A page of the address book. */
export interface ContactPage {
  items: Contact[];
  total: number;
}

/** What the 届出 page shows before registering. */
export interface RegistrationLink {
  organizationName: string;
  senderContact: string | null;
  companyName: string;
  personName: string;
  language: 'ja' | 'en';
  expiresAt: string;
  currentSigner: { name: string; email: string } | null;
}
