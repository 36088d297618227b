import { canonicalId, canonicaliseIdParams } from './uuid.js';

/** One spelling per id: what the access guard does to path parameters before anything reads them. */
describe('canonicaliseIdParams', () => {
  const UPPER = '783E1428-0C4B-4A6E-9B1D-2F3A4B5C6D7E';

  it('lower-cases UUID ids and leaves other values as they are', () => {
    const params: Record<string, string> = {
      network_id: UPPER,
      person_id: UPPER,
      action_id: 'not-a-uuid',
      name: UPPER,
    };
    canonicaliseIdParams(params);
    expect(params).toEqual({
      network_id: UPPER.toLowerCase(),
      person_id: UPPER.toLowerCase(),
      action_id: 'not-a-uuid',
      name: UPPER,
    });
  });

  it('keeps the spelling of names a device chose, even when they look like a UUID', () => {
    const params: Record<string, string> = { client_id: UPPER, stream_id: UPPER, network_id: UPPER };
    canonicaliseIdParams(params);
    expect(params).toEqual({ client_id: UPPER, stream_id: UPPER, network_id: UPPER.toLowerCase() });
  });

  it('canonicalId leaves non-strings and non-UUIDs alone', () => {
    expect(canonicalId(UPPER)).toBe(UPPER.toLowerCase());
    expect(canonicalId(42)).toBe(42);
    expect(canonicalId('Kitchen')).toBe('Kitchen');
  });
});
