import { readFileSync } from 'node:fs';
import { mixAtSnr, pinkNoise, whiteNoise } from '../libs/audio/src/dsp/signal.js';
import { cosine } from '../libs/audio/src/speaker/onnx-speaker-embedder.js';
import { babble, equalErrorRate, evalPipeline, load, trainFiles } from './lib.js';
const SR = 16000;
const p = await evalPipeline();
const dev = readFileSync('/tmp/dev-files.txt', 'utf8').trim().split('\n');
const bab = await Promise.all(
  trainFiles()
    .filter((f) => !dev.includes(f))
    .slice(100, 104)
    .map((f) => load(p, f)),
);
const sets = [];
for (const f of dev) {
  const x = await load(p, f);
  if (x.length < 8 * SR) continue;
  const half = Math.floor(x.length / 2);
  const third = Math.floor(half / 3);
  sets.push({ enrol: [0, 1, 2].map((k) => x.slice(k * third, (k + 1) * third)), tests: [x.slice(half)] });
}
const norm = (v: Float32Array) => {
  let s = 0;
  for (const x of v) s += x * x;
  s = Math.sqrt(s);
  return v.map((x) => x / s);
};
const emb = async (x: Float32Array) => (await p.embed(x)).vector;
const dual = async (x: Float32Array) => {
  const a = await emb(x);
  const b = await emb(await p.denoise(x));
  return norm(a.map((v, i) => v + b[i]!));
};
for (const enrolMode of ['raw', 'dual'] as const) {
  const cents = [];
  for (const s of sets) {
    const vs = await Promise.all(s.enrol.map(enrolMode === 'raw' ? emb : dual));
    const c = new Float32Array(vs[0]!.length);
    for (const v of vs) for (let i = 0; i < c.length; i++) c[i] += v[i]!;
    cents.push(norm(c));
  }
  for (const kind of ['clean', 'white', 'pink', 'babble'] as const) {
    let seed = 1000;
    const res: Record<string, { t: number[]; n: number[]; ok: number; all: number }> = {};
    for (let si = 0; si < sets.length; si++)
      for (const test of sets[si]!.tests) {
        const noise =
          kind === 'white'
            ? whiteNoise(test.length, seed++)
            : kind === 'pink'
              ? pinkNoise(test.length, seed++)
              : babble(bab, test.length);
        const noisy = kind === 'clean' ? test : mixAtSnr(test, noise, 5);
        const den = await p.denoise(noisy);
        const er = await emb(noisy);
        const ed = await emb(den);
        const views: Record<string, Float32Array> = {
          raw: er,
          den: ed,
          avg: norm(er.map((x, i) => x + ed[i]!)),
        };
        for (const [name, v] of Object.entries(views)) {
          const r = (res[name] ??= { t: [], n: [], ok: 0, all: 0 });
          const sc = cents.map((c) => cosine(v, c));
          let best = 0;
          for (let k = 1; k < sc.length; k++) if (sc[k]! > sc[best]!) best = k;
          r.all++;
          if (best === si) r.ok++;
          sc.forEach((x, k) => (k === si ? r.t : r.n).push(x));
        }
      }
    console.log(
      `enrol=${enrolMode} ${kind}: ` +
        Object.entries(res)
          .map(
            ([name, r]) =>
              `${name} EER ${(100 * equalErrorRate(r.t, r.n)).toFixed(1)} top1 ${((100 * r.ok) / r.all).toFixed(1)}`,
          )
          .join(' | '),
    );
  }
}
p.close();
