import { seededRandom, unitVector } from '@mira/core';
import { agglomerate } from './clustering.js';
import { symmetricEigen } from './eigen.js';
import { maximumEigengap, spectralClusters } from './spectral.js';

/** `count` unit vectors scattered around `direction`. */
function around(
  direction: Float32Array,
  count: number,
  spread: number,
  random: () => number,
): Float32Array[] {
  return Array.from({ length: count }, () => unitVector(direction.map((x) => x + (random() - 0.5) * spread)));
}

/** Whether two labellings group the items the same way (cluster numbers aside). */
function sameGrouping(a: number[], b: number[]): boolean {
  const pairs = new Map<number, number>();
  const back = new Map<number, number>();
  return a.every((x, i) => {
    const y = b[i]!;
    if ((pairs.has(x) && pairs.get(x) !== y) || (back.has(y) && back.get(y) !== x)) return false;
    pairs.set(x, y);
    back.set(y, x);
    return true;
  });
}

describe('symmetric eigen-decomposition', () => {
  it('gives the known spectrum of a path graph and vectors that satisfy A v = λ v', () => {
    const n = 12;
    // Laplacian of the path 0–1–…–11: eigenvalues 2 − 2 cos(kπ/n), k = 0…n−1
    const l = new Float64Array(n * n);
    for (let i = 0; i + 1 < n; i++) {
      l[i * n + i + 1] = l[(i + 1) * n + i] = -1;
      l[i * n + i]! += 1;
      l[(i + 1) * n + i + 1]! += 1;
    }
    const { values, vectors } = symmetricEigen(l, n);
    const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos((k * Math.PI) / n));
    values.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 10));
    expect(Array.from(symmetricEigen(l, n, false).values)).toEqual(
      Array.from(values).map((v) => expect.closeTo(v, 10)),
    );
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += l[r * n + k]! * vectors[c * n + k]!;
        expect(av).toBeCloseTo(values[c]! * vectors[c * n + r]!, 9);
      }
    }
  });

  it('decomposes a random symmetric matrix into orthonormal vectors that rebuild it', () => {
    const random = seededRandom(3);
    const n = 40;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = random() - 0.5;
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    let worst = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let rebuilt = 0;
        let gram = 0;
        for (let k = 0; k < n; k++) {
          rebuilt += vectors[k * n + r]! * values[k]! * vectors[k * n + c]!;
          gram += vectors[r * n + k]! * vectors[c * n + k]!;
        }
        worst = Math.max(worst, Math.abs(rebuilt - a[r * n + c]!), Math.abs(gram - (r === c ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('spectral clustering with the count from the normalised maximum eigengap', () => {
  const random = seededRandom(11);
  const directions = Array.from({ length: 6 }, () =>
    unitVector(Float32Array.from({ length: 64 }, () => random() - 0.5)),
  );

  it('reads the count off the largest jump among the first eigenvalues', () => {
    expect(maximumEigengap(Float64Array.from([0, 0, 0, 5, 6, 7]), 10)).toEqual({ k: 3, gap: 5 });
    expect(maximumEigengap(Float64Array.from([0, 4, 4.5, 5, 6, 7]), 10)).toEqual({ k: 1, gap: 4 });
    // a jump past the most clusters allowed is not looked at
    expect(maximumEigengap(Float64Array.from([0, 0.5, 0.6, 0.7, 9]), 2).k).toBe(1);
  });

  it.each([1, 2, 3, 4, 5])('finds %i voices of unequal sizes, each one cluster', (count) => {
    const sizes = [30, 12, 22, 16, 40].slice(0, count);
    const vectors = sizes.flatMap((size, c) => around(directions[c]!, size, 0.2, random));
    const truth = sizes.flatMap((size, c) => Array<number>(size).fill(c));
    const found = spectralClusters(vectors);
    expect(found.k).toBe(count);
    expect(sameGrouping(found.labels, truth)).toBe(true);
  });

  it('finds the same voices when every cosine rises (noise pulling all voices one way), where a fixed threshold does not', () => {
    const sizes = [25, 20, 30];
    const truth = sizes.flatMap((size, c) => Array<number>(size).fill(c));
    const clear = sizes.flatMap((size, c) => around(directions[c]!, size, 0.2, random));
    // a common component shared by every vector: cosines between different voices go from about 0 to about 0.7
    const common = directions[5]!;
    const pulled = clear.map((v) => unitVector(v.map((x, d) => x + 1.5 * common[d]!)));
    for (const vectors of [clear, pulled]) {
      const found = spectralClusters(vectors);
      expect(found.k).toBe(3);
      expect(sameGrouping(found.labels, truth)).toBe(true);
    }
    const items = (vectors: Float32Array[]) => vectors.map((vector) => ({ vector, weight: 1 }));
    expect(new Set(agglomerate(items(clear), 0.55)).size).toBe(3);
    expect(new Set(agglomerate(items(pulled), 0.55)).size).toBe(1);
  });

  it('keeps at most the clusters allowed, and one or two vectors as one cluster', () => {
    const vectors = directions.flatMap((d) => around(d, 10, 0.2, random));
    expect(spectralClusters(vectors, { maxClusters: 4, maxNeighbourShare: 0.25 }).k).toBeLessThanOrEqual(4);
    expect(spectralClusters(vectors.slice(0, 2)).labels).toEqual([0, 0]);
    expect(spectralClusters([]).labels).toEqual([]);
  });
});
