import libsamplerate from '@alexanderolsen/libsamplerate-js';

type Src = Awaited<ReturnType<typeof libsamplerate.create>>;

/** Port: converts mono float32 audio between sample rates. */
export interface Resampler {
  readonly name: string;
  resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array>;
}

/**
 * libsamplerate (Secret Rabbit Code) compiled to WASM, band-limited sinc interpolation ("fastest": 97 dB SNR, 80 % bandwidth, i.e. flat to 6.4 kHz at 16 kHz output). One converter per rate pair, created on first use and reused.
 */
export class LibSampleRateResampler implements Resampler {
  readonly name = 'libsamplerate-sinc-fastest';
  private readonly converters = new Map<string, Promise<Src>>();

  async resample(samples: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
    if (fromRate === toRate) return samples;
    const key = `${fromRate}->${toRate}`;
    let converter = this.converters.get(key);
    if (converter === undefined) {
      converter = libsamplerate.create(1, fromRate, toRate, {
        converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST,
      });
      this.converters.set(key, converter);
    }
    const src = await converter;
    // simple() copies through the module's heap; hand it a plain copy so a view over a larger buffer is safe.
    return Float32Array.from(src.simple(samples));
  }

  destroy(): void {
    for (const converter of this.converters.values()) void converter.then((src) => src.destroy());
    this.converters.clear();
  }
}
