/**
 * What services announce to the connected apps (and `device_revoked` / `network_closed`, which close the sockets
 * opened with that device's token / of that network). A notice carries ids only (PostgreSQL NOTIFY payloads are limited
 * to 8000 bytes and every instance must send what is current when it sends): each instance that holds sockets of
 * the network loads the row itself.
 */
export interface RealtimeEventRefs {
  service_status: { enabled: boolean };
  interaction: { id: string };
  conversation: { id: string };
  action: { id: string };
  person: { id: string };
  episodic_memory: { id: string };
  /** A device (client row id) whose token was revoked. */
  device_revoked: { id: string };
  /** The network itself (its id) is gone with its account: every socket of it is closed. */
  network_closed: { id: string };
}

export type RealtimeEventName = keyof RealtimeEventRefs;

export const REALTIME_EVENT_NAMES: readonly RealtimeEventName[] = [
  'service_status',
  'interaction',
  'conversation',
  'action',
  'person',
  'episodic_memory',
  'device_revoked',
  'network_closed',
];

export type RealtimeNotice = {
  [E in RealtimeEventName]: { networkId: string; event: E; ref: RealtimeEventRefs[E] };
}[RealtimeEventName];

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_LIMIT_BYTES = 7999;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeNotice(notice: RealtimeNotice): string {
  return JSON.stringify({ n: notice.networkId, e: notice.event, r: notice.ref });
}

/** The notice in a NOTIFY payload, or null when it is not one (another writer on the channel, a newer format). */
export function decodeNotice(payload: string): RealtimeNotice | null {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { n, e, r } = raw as { n?: unknown; e?: unknown; r?: unknown };
  if (typeof n !== 'string' || !UUID.test(n) || typeof r !== 'object' || r === null) return null;
  const ref = r as Record<string, unknown>;
  if (e === 'service_status') {
    return typeof ref.enabled === 'boolean'
      ? { networkId: n, event: e, ref: { enabled: ref.enabled } }
      : null;
  }
  if (
    e === 'interaction' ||
    e === 'conversation' ||
    e === 'action' ||
    e === 'person' ||
    e === 'episodic_memory' ||
    e === 'device_revoked' ||
    e === 'network_closed'
  ) {
    return typeof ref.id === 'string' && UUID.test(ref.id)
      ? { networkId: n, event: e, ref: { id: ref.id } }
      : null;
  }
  return null;
}
