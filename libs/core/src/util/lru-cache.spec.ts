import { LruCache } from './lru-cache.js';

describe('LruCache (kept speaker profiles and decrypted voiceprints)', () => {
  it('keeps at most its capacity, dropping the least recently used; a read counts as a use, has() does not', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3); // drops b
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.has('a')).toBe(true); // not a use: a stays the least recently used
    cache.set('d', 4); // drops a
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, true, true]);
    expect(cache.size).toBe(2);
  });

  it('replaces a value in place, deletes, and deletes by predicate', () => {
    const cache = new LruCache<string, { network: string }>(10);
    cache.set('x', { network: 'n1' });
    cache.set('y', { network: 'n2' });
    cache.set('z', { network: 'n1' });
    cache.set('x', { network: 'n3' });
    expect(cache.size).toBe(3);
    cache.deleteWhere((v) => v.network === 'n1');
    expect([cache.has('x'), cache.has('y'), cache.has('z')]).toEqual([true, true, false]);
    expect(cache.delete('y')).toBe(true);
    expect(cache.delete('y')).toBe(false);
    expect(() => new LruCache(0)).toThrow(/capacity/);
  });
});
