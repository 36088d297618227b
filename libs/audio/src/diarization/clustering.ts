/**
 * Clustering of voice embeddings with an unknown number of speakers. Pure functions over unit vectors; nothing here
 * knows about audio.
 */

export interface WeightedVector {
  /** L2-normalised. */
  vector: Float32Array;
  /** Seconds of speech the vector stands for. */
  weight: number;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine of two weighted sums (`a`, `b` are sums of unit vectors times weights, not normalised). */
function sumCosine(a: Float32Array, b: Float32Array, normA: number, normB: number): number {
  return normA > 0 && normB > 0 ? dot(a, b) / (normA * normB) : 0;
}

/**
 * Change points in a time-ordered sequence: a new segment starts where a vector's cosine to the running (weighted)
 * mean of the current segment falls below `threshold`, or where the segment already spans `maxItems`. Returns the
 * segment index of each item.
 */
export function segmentByChange(items: WeightedVector[], threshold: number, maxItems: number): number[] {
  const labels = new Array<number>(items.length);
  if (items.length === 0) return labels;
  const dim = items[0]!.vector.length;
  let sum = new Float32Array(dim);
  let count = 0;
  let segment = -1;
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!.vector;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += sum[d]! * sum[d]!;
    const similar = count > 0 && sumCosine(sum, v, Math.sqrt(norm), 1) >= threshold;
    if (!similar || count >= maxItems) {
      segment += 1;
      sum = new Float32Array(dim);
      count = 0;
    }
    for (let d = 0; d < dim; d++) sum[d]! += v[d]! * items[i]!.weight;
    count += 1;
    labels[i] = segment;
  }
  return labels;
}

/**
 * Agglomerative clustering with centroid linkage on cosine: repeatedly merges the two clusters whose weighted mean
 * vectors are most similar, while that similarity is at least `threshold`; the number of clusters is what remains.
 * Each cluster keeps the weighted sum of its members, so merging is O(dimension) and a merged cluster's neighbours are
 * found in one pass. Returns a cluster index (0…k-1, in order of first member) for each item.
 */
export function agglomerate(items: WeightedVector[], threshold: number): number[] {
  const n = items.length;
  const dim = n > 0 ? items[0]!.vector.length : 0;
  const sums = items.map((it) => it.vector.map((x) => x * it.weight));
  const norms = sums.map((s) => Math.sqrt(dot(s, s)));
  const alive = new Array<boolean>(n).fill(true);
  const parent = Array.from({ length: n }, (_, i) => i);
  const nearest = new Int32Array(n).fill(-1);
  const nearestSim = new Float64Array(n).fill(-Infinity);

  const similarity = (i: number, j: number) => sumCosine(sums[i]!, sums[j]!, norms[i]!, norms[j]!);
  const refresh = (i: number) => {
    nearest[i] = -1;
    nearestSim[i] = -Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !alive[j]) continue;
      const s = similarity(i, j);
      if (s > nearestSim[i]!) {
        nearestSim[i] = s;
        nearest[i] = j;
      }
    }
  };
  for (let i = 0; i < n; i++) refresh(i);

  for (;;) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (alive[i] && nearest[i]! >= 0 && (best < 0 || nearestSim[i]! > nearestSim[best]!)) best = i;
    }
    if (best < 0 || nearestSim[best]! < threshold) break;
    const keep = best;
    const gone = nearest[best]!;
    const sum = sums[keep]!;
    const other = sums[gone]!;
    for (let d = 0; d < dim; d++) sum[d]! += other[d]!;
    norms[keep] = Math.sqrt(dot(sum, sum));
    alive[gone] = false;
    parent[gone] = keep;
    // Centroid linkage is not monotone: the merged cluster and whoever pointed at either half look again.
    refresh(keep);
    for (let i = 0; i < n; i++) {
      if (!alive[i] || i === keep) continue;
      if (nearest[i] === gone || nearest[i] === keep) refresh(i);
      else {
        const s = similarity(i, keep);
        if (s > nearestSim[i]!) {
          nearestSim[i] = s;
          nearest[i] = keep;
        }
      }
    }
  }

  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const index = new Map<number, number>();
  return items.map((_, i) => {
    const r = root(i);
    if (!index.has(r)) index.set(r, index.size);
    return index.get(r)!;
  });
}

/** Weighted, L2-normalised mean vector of each label 0…k-1. */
export function centroids(items: WeightedVector[], labels: number[], k: number): Float32Array[] {
  const dim = items[0]?.vector.length ?? 0;
  const sums = Array.from({ length: k }, () => new Float32Array(dim));
  items.forEach((it, i) => {
    const sum = sums[labels[i]!]!;
    for (let d = 0; d < dim; d++) sum[d]! += it.vector[d]! * it.weight;
  });
  return sums.map((s) => {
    const norm = Math.sqrt(dot(s, s));
    return norm > 0 ? s.map((x) => x / norm) : s;
  });
}

/** Index of the most similar centroid (cosine; vectors are unit length). */
export function closest(vector: Float32Array, to: Float32Array[]): number {
  let best = 0;
  let bestSim = -Infinity;
  to.forEach((c, i) => {
    const s = dot(vector, c);
    if (s > bestSim) {
      bestSim = s;
      best = i;
    }
  });
  return best;
}
