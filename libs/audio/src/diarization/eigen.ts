/**
 * Eigen-decomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
 * algorithm (tred2 / tql2 of EISPACK as ported in JAMA, public domain). O(n³); spectral clustering keeps n to a few
 * hundred.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** n × n: entries `vectors[i * n + k]`, k = 0…n−1, are the unit eigenvector of `values[i]`; empty without. */
  vectors: Float64Array;
}

/**
 * Eigenvalues (ascending) and, when `withVectors`, eigenvectors of the symmetric `matrix` (n × n; only read).
 * Skipping the vectors saves the accumulation of the transformations, most of the work.
 */
export function symmetricEigen(matrix: Float64Array, n: number, withVectors = true): SymmetricEigen {
  if (matrix.length !== n * n) throw new Error(`Expected ${n}×${n} values, got ${matrix.length}`);
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: new Float64Array(0) };
  tridiagonalise(v, d, e, n, withVectors);
  diagonalise(v, d, e, n, withVectors);
  return { values: d, vectors: withVectors ? v : new Float64Array(0) };
}

/** Householder reduction of `v` (in place) to tridiagonal form: diagonal in `d`, subdiagonal in `e[1…]`. */
function tridiagonalise(v: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean) {
  // column-major, so that the inner loops, which run down a column, read memory in order
  const at = (r: number, c: number) => c * n + r;
  for (let j = 0; j < n; j++) d[j] = v[at(n - 1, j)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[at(i - 1, j)]!;
        v[at(i, j)] = 0;
        v[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[at(j, i)] = f;
        g = e[j]! + v[at(j, j)]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[at(k, j)]! * d[k]!;
          e[k]! += v[at(k, j)]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[at(k, j)]! -= f * e[k]! + g * d[k]!;
        d[j] = v[at(i - 1, j)]!;
        v[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  if (accumulate) {
    for (let i = 0; i < n - 1; i++) {
      v[at(n - 1, i)] = v[at(i, i)]!;
      v[at(i, i)] = 1;
      const h = d[i + 1]!;
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = v[at(k, i + 1)]! / h;
        for (let j = 0; j <= i; j++) {
          let g = 0;
          for (let k = 0; k <= i; k++) g += v[at(k, i + 1)]! * v[at(k, j)]!;
          for (let k = 0; k <= i; k++) v[at(k, j)]! -= g * d[k]!;
        }
      }
      for (let k = 0; k <= i; k++) v[at(k, i + 1)] = 0;
    }
    for (let j = 0; j < n; j++) {
      d[j] = v[at(n - 1, j)]!;
      v[at(n - 1, j)] = 0;
    }
    v[at(n - 1, n - 1)] = 1;
  } else {
    // the reduction leaves the tridiagonal matrix's diagonal on v's diagonal
    for (let j = 0; j < n; j++) d[j] = v[at(j, j)]!;
  }
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e); eigenvalues sorted ascending into d, vectors (when kept) into v's columns. */
function diagonalise(v: Float64Array, d: Float64Array, e: Float64Array, n: number, withVectors: boolean) {
  // column-major, so that the inner loops, which run down a column, read memory in order
  const at = (r: number, c: number) => c * n + r;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iteration = 0; ; iteration++) {
        if (iteration > 60) throw new Error('Symmetric eigen-decomposition did not converge');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.sqrt(p * p + e[i]! * e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (withVectors) {
            for (let k = 0; k < n; k++) {
              h = v[at(k, i + 1)]!;
              v[at(k, i + 1)] = s * v[at(k, i)]! + c * h;
              v[at(k, i)] = c * v[at(k, i)]! - s * h;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (Math.abs(e[l]!) <= eps * tst1) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k === i) continue;
    d[k] = d[i]!;
    d[i] = p;
    if (withVectors) {
      for (let j = 0; j < n; j++) {
        const t = v[at(j, i)]!;
        v[at(j, i)] = v[at(j, k)]!;
        v[at(j, k)] = t;
      }
    }
  }
}
