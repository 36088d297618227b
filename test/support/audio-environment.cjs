const MiraTestEnvironment = require('./node-environment.cjs');

/**
 * For specs that decode WebM/Vorbis with audio-decode: its decoder checks `wasmMemory.buffer instanceof ArrayBuffer`,
 * which fails when the realm's ArrayBuffer is the host's but WebAssembly is the realm's. Sharing the host's
 * WebAssembly too fixes that, but breaks PGlite, so only opt-in specs use this environment:
 *   /** @jest-environment ./test/support/audio-environment.cjs *\/
 */
class AudioTestEnvironment extends MiraTestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.WebAssembly = globalThis.WebAssembly;
  }
}

module.exports = AudioTestEnvironment;
