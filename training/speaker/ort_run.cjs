// Runs an ONNX speaker model with onnxruntime-node (the runtime the Mira app uses).
// usage: node ort_run.cjs MODEL IN.f32 LENGTHS.json OUT.f32 [outputName] [inputName]
//   IN.f32: concatenated float32 waveforms; LENGTHS.json: [n1, n2, ...]
//   OUT.f32: concatenated float32 outputs (one row per waveform); prints dims JSON.
// usage: node ort_run.cjs --bench MODEL SECONDS [REPEATS]
const path = require('path');
const fs = require('fs');
const ortDir =
  process.env.ORT_DIR || path.join(__dirname, '.work', 'ort', 'node_modules', 'onnxruntime-node');
const ort = require(ortDir);

async function main() {
  const a = process.argv.slice(2);
  const opts = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  if (a[0] === '--bench') {
    const sess = await ort.InferenceSession.create(a[1], opts);
    const n = Math.round(parseFloat(a[2]) * 16000);
    const reps = parseInt(a[3] || '200', 10);
    const x = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      x[i] = 0.1 * (s / 1073741824 - 1);
    }
    const feeds = { waveform: new ort.Tensor('float32', x, [1, n]) };
    for (let i = 0; i < 20; i++) await sess.run(feeds);
    const t = [];
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      await sess.run(feeds);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((p, q) => p - q);
    console.log(
      JSON.stringify({
        seconds: n / 16000,
        p50_ms: t[Math.floor(reps / 2)],
        p95_ms: t[Math.floor(reps * 0.95)],
        min_ms: t[0],
      }),
    );
    return;
  }
  const [model, inF, lenF, outF] = a;
  const outName = a[4] || 'embedding';
  const inName = a[5] || 'waveform';
  const sess = await ort.InferenceSession.create(model, opts);
  const buf = fs.readFileSync(inF);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const lens = JSON.parse(fs.readFileSync(lenF, 'utf8'));
  const chunks = [];
  const dims = [];
  let off = 0;
  for (const n of lens) {
    const x = all.slice(off, off + n);
    off += n;
    const r = await sess.run({ [inName]: new ort.Tensor('float32', x, [1, n]) });
    const y = r[outName];
    chunks.push(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    dims.push(y.dims);
  }
  fs.writeFileSync(outF, Buffer.concat(chunks));
  console.log(JSON.stringify(dims));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
