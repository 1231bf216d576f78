export type IdentityKind = 'email' | 'phone' | 'domain';

export interface CustomerIdentity {
  kind: IdentityKind;
  /** Normalized: lower-case e-mail, `+<digits>` phone, lower-case domain. */
  value: string;
}

export interface Customer {
  id: string;
  name: string | null;
  segment: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  identities: CustomerIdentity[];
}

/** What a channel knows about the sender; any subset resolves a customer (R7). */
export interface CustomerHints {
  email?: string | null;
  phone?: string | null;
  /** Company domain; derived from `email` when absent (never for free-mail providers). */
  domain?: string | null;
  name?: string | null;
  /** Only used when the customer is created. */
  segment?: string | null;
}
