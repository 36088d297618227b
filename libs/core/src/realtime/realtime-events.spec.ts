import {
  decodeNotice,
  encodeNotice,
  NOTIFY_PAYLOAD_LIMIT_BYTES,
  type RealtimeNotice,
} from './realtime-events.js';

const NETWORK = '0b6f3f43-6a8e-4d8a-9d7e-0c2b1c4e5f60';
const ROW = 'f1c2d3e4-5b6a-4789-8abc-def012345678';

describe('realtime notices (NOTIFY payloads)', () => {
  it('round-trips every notice and stays far below the NOTIFY limit', () => {
    const notices: RealtimeNotice[] = [
      { networkId: NETWORK, event: 'service_status', ref: { enabled: false } },
      { networkId: NETWORK, event: 'interaction', ref: { id: ROW } },
      { networkId: NETWORK, event: 'conversation', ref: { id: ROW } },
      { networkId: NETWORK, event: 'action', ref: { id: ROW } },
      { networkId: NETWORK, event: 'person', ref: { id: ROW } },
      { networkId: NETWORK, event: 'device_revoked', ref: { id: ROW } },
      { networkId: NETWORK, event: 'network_closed', ref: { id: NETWORK } },
    ];
    for (const notice of notices) {
      const payload = encodeNotice(notice);
      expect(decodeNotice(payload)).toEqual(notice);
      expect(Buffer.byteLength(payload)).toBeLessThan(NOTIFY_PAYLOAD_LIMIT_BYTES / 50);
    }
  });

  it('ignores what is not a notice (another writer on the channel, a newer format, a bad id)', () => {
    for (const payload of [
      '',
      'not json',
      'null',
      '[]',
      JSON.stringify({ n: NETWORK, e: 'interaction', r: { id: 'nope' } }),
      JSON.stringify({ n: 'nope', e: 'interaction', r: { id: ROW } }),
      JSON.stringify({ n: NETWORK, e: 'calendar_event', r: { id: ROW } }),
      JSON.stringify({ n: NETWORK, e: 'service_status', r: { enabled: 'yes' } }),
      JSON.stringify({ n: NETWORK, e: 'person' }),
    ]) {
      expect(decodeNotice(payload)).toBeNull();
    }
  });
});
