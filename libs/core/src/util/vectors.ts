/** Embedding arithmetic shared by the AudioModule (embedding, scoring) and the recognition policy. */

/** A new vector of unit length in the direction of `v`; a zero (or non-finite) vector gives zeros. */
export function unitVector(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  if (!(norm > 0) || !Number.isFinite(norm)) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/** Cosine similarity; 0 when either vector is zero. Vectors of different dimensions are refused. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Embedding dimensions differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The normalised mean of unit vectors (each normalised first): a person's voiceprint from their samples. */
export function centroidOf(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new Error('No samples');
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) {
    const n = unitVector(v);
    for (let i = 0; i < sum.length; i++) sum[i]! += n[i]!;
  }
  return unitVector(sum);
}
