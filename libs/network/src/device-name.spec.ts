import { assertDeviceName, isDeviceName } from './device-name.js';

describe('device names', () => {
  it('accepts what people type in the shipped apps', () => {
    for (const name of [
      'desktop-client',
      'client-1a2b3c4d',
      'client7',
      "Ada's laptop",
      'Küche',
      'x',
      'é'.repeat(64),
    ]) {
      expect(isDeviceName(name)).toBe(true);
    }
  });

  it('refuses empty, too long, padded, path-breaking and control-character names', () => {
    for (const name of [
      '',
      'x'.repeat(65),
      ' kitchen',
      'kitchen ',
      'a/b',
      'a\\b',
      'tab\there',
      'nl\n',
      '\u0000',
      42,
      null,
    ]) {
      expect(isDeviceName(name)).toBe(false);
    }
  });

  it('names the field in its 422', () => {
    expect(() => assertDeviceName('new_client_id', 'a/b')).toThrow(
      expect.objectContaining({
        status: 422,
        extra: { fields: [expect.objectContaining({ field: 'new_client_id' })] },
      }),
    );
    expect(assertDeviceName('client_id', 'kitchen')).toBe('kitchen');
  });
});
