type LibSampleRate = typeof import('@alexanderolsen/libsamplerate-js');

/** One libsamplerate converter (a WASM instance): `simple()` for a whole clip, `full()` for blocks of a stream. */
export type SampleRateConverter = Awaited<ReturnType<LibSampleRate['create']>>;

let library: Promise<LibSampleRate> | undefined;

/**
 * A mono band-limited sinc ("fastest") converter from one rate to another. The library (2 MB of JavaScript with its
 * WASM inlined) is loaded by the first call, not when the server starts: most uploads arrive at 16 kHz already.
 */
export async function createSincFastestConverter(
  fromRate: number,
  toRate: number,
): Promise<SampleRateConverter> {
  library ??= import('@alexanderolsen/libsamplerate-js').then(
    // a CommonJS module: its exports are the namespace's default
    (module) => ((module as { default?: LibSampleRate }).default ?? module) as LibSampleRate,
    (err: unknown) => {
      library = undefined;
      throw err;
    },
  );
  const lib = await library;
  return lib.create(1, fromRate, toRate, { converterType: lib.ConverterType.SRC_SINC_FASTEST });
}
