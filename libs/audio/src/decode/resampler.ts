import { LruCache } from '@mira/core/util';
import { createSincFastestConverter, type SampleRateConverter } from './libsamplerate.js';

/** Port: converts mono float32 audio between sample rates. */
export interface Resampler {
  readonly name: string;
  resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array>;
}

/** Rates libsamplerate converts between (its own bounds); the decoders refuse audio outside them first. */
export const MIN_RESAMPLE_RATE = 1;
export const MAX_RESAMPLE_RATE = 192_000;

/** A rate the resampler cannot take: a caller's bug or unchecked input, reported as an Error with the rates. */
export class UnsupportedRateError extends Error {
  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    super(`Cannot resample ${fromRate} Hz to ${toRate} Hz (supported: 1–192,000 Hz)`);
    this.name = 'UnsupportedRateError';
  }
}

/**
 * Converters kept: each is a WASM instance whose memory grows to the largest clip it converted (~20 MB) and never
 * shrinks, and any rate from 1 Hz to 192 kHz can arrive, so only the few most recent rate pairs keep theirs.
 */
export const CONVERTERS_KEPT = 4;

const isRate = (rate: number) =>
  Number.isInteger(rate) && rate >= MIN_RESAMPLE_RATE && rate <= MAX_RESAMPLE_RATE;

/**
 * libsamplerate (Secret Rabbit Code) compiled to WASM, band-limited sinc interpolation ("fastest": 97 dB SNR, 80 %
 * bandwidth, i.e. flat to 6.4 kHz at 16 kHz output). One converter per rate pair, the CONVERTERS_KEPT most recently
 * used kept for reuse; an evicted one is destroyed.
 */
export class LibSampleRateResampler implements Resampler {
  readonly name = 'libsamplerate-sinc-fastest';
  private readonly converters = new LruCache<string, Promise<SampleRateConverter>>(
    CONVERTERS_KEPT,
    (converter) => {
      void converter.then(
        (src) => src.destroy(),
        () => undefined,
      );
    },
  );

  /** Rate pairs with a converter kept right now. */
  get convertersKept(): number {
    return this.converters.size;
  }

  async resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
    if (fromRate === toRate) return samples;
    if (!isRate(fromRate) || !isRate(toRate)) throw new UnsupportedRateError(fromRate, toRate);
    const key = `${fromRate}->${toRate}`;
    let converter = this.converters.get(key);
    if (converter === undefined) {
      converter = createSincFastestConverter(fromRate, toRate).catch((thrown: unknown) => {
        // the library throws bare strings ("invalid inputSampleRate"): give callers and logs an Error
        this.converters.delete(key);
        throw thrown instanceof Error ? thrown : new Error(`libsamplerate: ${String(thrown)}`);
      });
      this.converters.set(key, converter);
    }
    const src = await converter;
    try {
      // simple() copies through the module's heap; hand it a plain copy so a view over a larger buffer is safe.
      return Float32Array.from(src.simple(samples));
    } catch (thrown) {
      throw thrown instanceof Error ? thrown : new Error(`libsamplerate: ${String(thrown)}`);
    }
  }

  destroy(): void {
    this.converters.clear();
  }
}
