/**
 * Spectral clustering that picks its own number of clusters: NME-SC (Park et al. 2019, "Auto-tuning spectral
 * clustering for speaker diarization using normalized maximum eigengap"). The cosine affinity of the vectors is
 * binarised to each vector's p nearest neighbours; the count k is where the graph Laplacian's eigenvalues jump most
 * (the maximum eigengap), and p itself is the one whose jump is most pronounced for how densely it connects (smallest
 * p / normalised eigengap). Only the order of each row's similarities matters, so a recording whose embeddings are all
 * a little more (or less) alike than usual, as in noise, is clustered as if it were not. Pure functions.
 */
import { seededRandom } from '@mira/core/util';
import { symmetricEigen } from './eigen.js';

export interface SpectralOptions {
  /** Most clusters the eigengap may pick (the gaps after the first `maxClusters` eigenvalues are not looked at). */
  maxClusters: number;
  /** Neighbour counts p are tried from 1 up to this share of the vectors. */
  maxNeighbourShare: number;
}

export interface SpectralClusters {
  /** Cluster 0…k-1 of each vector, numbered in order of first member. */
  labels: number[];
  k: number;
  /** The neighbour count p chosen. */
  neighbours: number;
}

/** At most this many neighbour counts are tried (evenly spread over the range); each costs an eigen-decomposition. */
const MAX_NEIGHBOUR_TRIALS = 16;
/**
 * A neighbour count whose graph falls apart into a piece with fewer items than this share of them (and at least
 * MIN_COMPONENT) is not tried: with very few neighbours one voice breaks into small cliques, each of which the
 * eigengap would count as a voice. A real voice that small is still found with more neighbours.
 */
const MIN_COMPONENT_SHARE = 0.1;
const MIN_COMPONENT = 4;
const KMEANS_RESTARTS = 10;
const KMEANS_ITERATIONS = 100;

/** L2-normalised `vectors` into clusters, their number chosen by the normalised maximum eigengap. */
export function spectralClusters(
  vectors: Float32Array[],
  options: SpectralOptions = { maxClusters: 10, maxNeighbourShare: 0.25 },
  sharesAudio: (i: number, j: number) => boolean = () => false,
): SpectralClusters {
  const n = vectors.length;
  if (n < 3) return { labels: vectors.map(() => 0), k: n > 0 ? 1 : 0, neighbours: 0 };
  const cosine = cosineMatrix(vectors);
  const order = neighbourOrder(cosine, n, sharesAudio);
  const counts = neighbourCounts(n, options.maxNeighbourShare);
  const smallestPiece = Math.max(MIN_COMPONENT, Math.ceil(MIN_COMPONENT_SHARE * n));
  let best = { ratio: Infinity, p: counts[counts.length - 1]!, k: 1 };
  for (const p of counts) {
    if (smallestComponent(order, n, p) < smallestPiece) continue;
    const laplacian = laplacianOf(order, n, p);
    const { values } = symmetricEigen(laplacian, n, false);
    const { k, gap } = maximumEigengap(values, options.maxClusters);
    const normalised = gap / (values[n - 1]! + 1e-10);
    const ratio = p / n / (normalised + 1e-10);
    if (ratio < best.ratio) best = { ratio, p, k };
  }
  if (best.ratio === Infinity) {
    // every graph tried falls apart into small pieces: the densest one decides
    const { values } = symmetricEigen(laplacianOf(order, n, best.p), n, false);
    best.k = maximumEigengap(values, options.maxClusters).k;
  }
  if (best.k <= 1) return { labels: vectors.map(() => 0), k: 1, neighbours: best.p };
  const { vectors: eigenvectors } = symmetricEigen(laplacianOf(order, n, best.p), n, true);
  // each vector's row of the k eigenvectors of the smallest eigenvalues: members of one cluster land together
  const embedded = Array.from({ length: n }, (_, row) =>
    Float64Array.from({ length: best.k }, (_, column) => eigenvectors[column * n + row]!),
  );
  const labels = kMeans(embedded, best.k, seededRandom(n * 7919 + best.k));
  return { labels: renumber(labels), k: new Set(labels).size, neighbours: best.p };
}

/**
 * The count the eigenvalues (ascending) point at: k where λ[k] − λ[k−1] is largest for k ≤ maxClusters, and that gap.
 */
export function maximumEigengap(values: Float64Array, maxClusters: number): { k: number; gap: number } {
  let k = 1;
  let gap = -Infinity;
  for (let i = 0; i < Math.min(maxClusters, values.length - 1); i++) {
    const g = values[i + 1]! - values[i]!;
    if (g > gap) {
      gap = g;
      k = i + 1;
    }
  }
  return { k, gap: Math.max(0, gap) };
}

function cosineMatrix(vectors: Float32Array[]): Float64Array {
  const n = vectors.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = vectors[i]!;
    for (let j = i; j < n; j++) {
      const b = vectors[j]!;
      let s = 0;
      for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * For each row, the other items from most to least similar, leaving out those that share audio with it (overlapping
 * windows resemble each other whoever speaks: as neighbours they would tie each turn into a clique of its own).
 */
function neighbourOrder(
  cosine: Float64Array,
  n: number,
  sharesAudio: (i: number, j: number) => boolean,
): Int32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const others: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i && !sharesAudio(i, j)) others.push(j);
    return Int32Array.from(others).sort((a, b) => cosine[i * n + b]! - cosine[i * n + a]!);
  });
}

function neighbourCounts(n: number, maxShare: number): number[] {
  const top = Math.max(1, Math.min(n - 1, Math.floor(n * maxShare)));
  if (top <= MAX_NEIGHBOUR_TRIALS) return Array.from({ length: top }, (_, i) => i + 1);
  const counts = new Set<number>();
  for (let i = 0; i < MAX_NEIGHBOUR_TRIALS; i++) {
    counts.add(1 + Math.round((i * (top - 1)) / (MAX_NEIGHBOUR_TRIALS - 1)));
  }
  return [...counts];
}

/** Size of the smallest connected piece of the graph joining each item to its p nearest neighbours. */
function smallestComponent(order: Int32Array[], n: number, p: number): number {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    for (let r = 0; r < Math.min(p, row.length); r++) parent[root(row[r]!)] = root(i);
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(root(i), (sizes.get(root(i)) ?? 0) + 1);
  return Math.min(...sizes.values());
}

/** L = D − A of the affinity that keeps each item's p nearest neighbours (1, else 0), symmetrised (A + Aᵀ) / 2. */
function laplacianOf(order: Int32Array[], n: number, p: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    for (let r = 0; r < Math.min(p, row.length); r++) {
      const j = row[r]!;
      l[i * n + j]! -= 0.5;
      l[j * n + i]! -= 0.5;
      l[i * n + i]! += 0.5;
      l[j * n + j]! += 0.5;
    }
  }
  return l;
}

/** Lloyd's k-means with k-means++ seeding, the best of several restarts (least within-cluster sum of squares). */
function kMeans(points: Float64Array[], k: number, random: () => number): number[] {
  const distance = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let d = 0; d < a.length; d++) s += (a[d]! - b[d]!) ** 2;
    return s;
  };
  let best: { labels: number[]; cost: number } = { labels: points.map(() => 0), cost: Infinity };
  for (let restart = 0; restart < KMEANS_RESTARTS; restart++) {
    const centres: Float64Array[] = [Float64Array.from(points[Math.floor(random() * points.length)]!)];
    while (centres.length < k) {
      const d2 = points.map((p) => Math.min(...centres.map((c) => distance(p, c))));
      const total = d2.reduce((a, b) => a + b, 0);
      let pick = random() * total;
      let chosen = d2.findIndex((d) => (pick -= d) <= 0);
      if (chosen < 0 || total === 0) chosen = Math.floor(random() * points.length);
      centres.push(Float64Array.from(points[chosen]!));
    }
    let labels = points.map(() => -1);
    for (let iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
      const next = points.map((p) => {
        let nearest = 0;
        for (let c = 1; c < k; c++)
          if (distance(p, centres[c]!) < distance(p, centres[nearest]!)) nearest = c;
        return nearest;
      });
      const moved = next.some((l, i) => l !== labels[i]);
      labels = next;
      if (!moved) break;
      for (let c = 0; c < k; c++) {
        const members = points.filter((_, i) => labels[i] === c);
        if (members.length === 0) continue;
        const centre = new Float64Array(points[0]!.length);
        for (const m of members) for (let d = 0; d < centre.length; d++) centre[d]! += m[d]! / members.length;
        centres[c] = centre;
      }
    }
    const cost = points.reduce((s, p, i) => s + distance(p, centres[labels[i]!]!), 0);
    if (cost < best.cost) best = { labels, cost };
  }
  return best.labels;
}

function renumber(labels: number[]): number[] {
  const index = new Map<number, number>();
  return labels.map((l) => {
    if (!index.has(l)) index.set(l, index.size);
    return index.get(l)!;
  });
}
