import type { Tx } from '@mira/core';

/** The sensitive actions Mira records. Extend the list when a new sensitive flow appears. */
export const AUDIT_ACTIONS = [
  'voiceprint.enrolled',
  'voiceprint.deleted',
  'person.merged',
  'person.deleted',
  'client.registered',
  'client.revoked',
  'network.deleted',
  'account.deleted',
  'retention.swept',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditActorKind = 'user' | 'client' | 'system';

export interface AuditEvent {
  networkId: string;
  action: AuditAction;
  targetType: string;
  targetId?: string | null;
  /** Ids and counts only: never names, audio, transcripts or embeddings. */
  details?: Record<string, unknown>;
  /** Defaults to the caller of the current request (or 'system' outside a request). */
  actor?: { kind: AuditActorKind; id: string | null };
  /** Write inside the caller's transaction so the action and its audit row commit together. */
  tx?: Tx;
}

/** An event of a whole account that names none of it (its networks and user are gone): counts only. */
export interface AccountAuditEvent {
  action: Extract<AuditAction, 'account.deleted'>;
  /** Counts only: never an id, a name, an address or anything else of the account. */
  details: Record<string, unknown>;
  tx: Tx;
}
