/** Webhooks (migration 017): an organisation's endpoints and the delivery log (the outbox). */
export interface WebhooksSchema {
  webhook_endpoints: {
    id: string;
    organization_id: string;
    url: string;
    description: string;
    /** JSON array of subscribed event types (WEBHOOK_EVENT_TYPES). */
    events: string;
    enabled: number;
    /** Sealed under the key-encryption key (SecretSeal, purpose webhook-secret). */
    secret_ciphertext: string;
    secret_hint: string;
    /** The secret before the last rotation, still signed with until previous_secret_expires_at. */
    previous_secret_ciphertext: string | null;
    previous_secret_expires_at: string | null;
    secret_rotated_at: string | null;
    created_by_user_id: string | null;
    created_at: string;
    updated_at: string;
  };
  webhook_deliveries: {
    id: string;
    organization_id: string;
    endpoint_id: string;
    event_id: string;
    event_type: string;
    chain_key: string;
    event_seq: number;
    /** JSON of the payload's data. */
    data: string;
    occurred_at: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    last_attempt_at: string | null;
    last_status_code: number | null;
    last_error: string | null;
    delivered_at: string | null;
    replay_of: string | null;
    created_at: string;
  };
}
