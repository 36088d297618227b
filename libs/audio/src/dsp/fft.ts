/**
 * In-place iterative radix-2 complex FFT with precomputed twiddles and bit reversal. Sizes are powers of two.
 * Real-input helpers return the one-sided spectrum (n/2 + 1 bins).
 */
export class Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(readonly size: number) {
    if (size < 2 || (size & (size - 1)) !== 0)
      throw new Error(`FFT size must be a power of two (got ${size})`);
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((-2 * Math.PI * i) / size);
      this.sin[i] = Math.sin((-2 * Math.PI * i) / size);
    }
    this.rev = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
  }

  /** Forward transform of a real frame; writes n/2+1 bins into outRe/outIm. */
  realForward(
    frame: ArrayLike<number>,
    outRe: Float32Array | Float64Array,
    outIm: Float32Array | Float64Array,
  ): void {
    const { re, im, rev, size } = this;
    for (let i = 0; i < size; i++) {
      re[rev[i]!] = frame[i]!;
      im[rev[i]!] = 0;
    }
    this.butterflies(1);
    for (let k = 0; k <= size / 2; k++) {
      outRe[k] = re[k]!;
      outIm[k] = im[k]!;
    }
  }

  /** Inverse of realForward: one-sided spectrum in, real frame (scaled by 1/n) out. */
  realInverse(inRe: ArrayLike<number>, inIm: ArrayLike<number>, out: Float32Array | Float64Array): void {
    const { re, im, rev, size } = this;
    const half = size / 2;
    for (let k = 0; k < size; k++) {
      let r: number;
      let m: number;
      if (k <= half) {
        r = inRe[k]!;
        m = inIm[k]!;
      } else {
        r = inRe[size - k]!;
        m = -inIm[size - k]!;
      }
      re[rev[k]!] = r;
      im[rev[k]!] = -m; // conjugate: ifft(x) = conj(fft(conj(x)))/n
    }
    this.butterflies(1);
    for (let i = 0; i < size; i++) out[i] = re[i]! / size;
  }

  private butterflies(_sign: number): void {
    const { re, im, size } = this;
    for (let len = 2; len <= size; len <<= 1) {
      const halfLen = len >> 1;
      const step = size / len;
      for (let start = 0; start < size; start += len) {
        for (let j = 0; j < halfLen; j++) {
          const wr = this.cos[j * step]!;
          const wi = this.sin[j * step]!;
          const a = start + j;
          const b = a + halfLen;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }
}

/** Periodic Hann window (the one whose 50 %-overlapped squares-of-square-roots sum to one). */
export function hann(size: number, periodic = true): Float64Array {
  const w = new Float64Array(size);
  const d = periodic ? size : size - 1;
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / d);
  return w;
}

export function sqrtHann(size: number): Float64Array {
  return hann(size).map(Math.sqrt);
}
