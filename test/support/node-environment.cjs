const { TestEnvironment } = require('jest-environment-node');

/**
 * Jest runs tests in a separate VM realm with its own typed-array constructors, so
 * `new ort.Tensor('float32', new Float32Array(...))` fails onnxruntime's instanceof checks.
 * Handing the realm the host's constructors fixes that.
 */
class MiraTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'ArrayBuffer',
      'SharedArrayBuffer',
      'DataView',
      'Int8Array',
      'Uint8Array',
      'Uint8ClampedArray',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'Float32Array',
      'Float64Array',
      'BigInt64Array',
      'BigUint64Array',
    ]) {
      this.global[name] = globalThis[name];
    }
    // Node's fetch (undici) keeps its dispatcher on the host realm's globalThis; @google/genai looks it up on the
    // test realm's. Delegate so the real SDK can talk to the fake Gemini server inside jest.
    const dispatcher = Symbol.for('undici.globalDispatcher.1');
    Object.defineProperty(this.global, dispatcher, {
      configurable: true,
      get: () => globalThis[dispatcher],
      set: (value) => {
        globalThis[dispatcher] = value;
      },
    });
  }
}

module.exports = MiraTestEnvironment;
