import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { AppError, cosine, encodeWav16 } from '@mira/core';
import type { AudioPipeline } from '../audio-pipeline.js';
import { repoModelsDir } from '../models/manifest.js';
import { prepareTestModelDir, readBytes, testPipeline, transcode } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { babble, mixAtSnr, whiteNoise } from '../dsp/signal.js';
import { computeFbank } from './fbank.js';

const { onnx } = onnxProto;

/** A toy fbank-input speaker model: mean of each filterbank bin over time → [1, 80]. */
function toyFbankModel(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const info = (name: string, dims: Array<number | string>) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: F,
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'toy',
        node: [
          {
            opType: 'ReduceMax',
            input: ['feats'],
            output: ['emb'],
            attribute: [
              { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
              { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
            ],
          },
        ],
        input: [info('feats', [1, 'T', 80])],
        output: [info('emb', [1, 80])],
      },
    }),
  ).finish();
}

describe('speaker embedding: SpeakerEmbedder port over any manifest ONNX model', () => {
  let pipeline: AudioPipeline;
  const embeddings: Array<{ speaker: string; vector: Float32Array }> = [];
  beforeAll(async () => {
    pipeline = await testPipeline();
    for (const { speaker, files } of librispeechDevSpeakers()) {
      for (const file of files.slice(0, 4)) {
        const decoded = await pipeline.decode(readBytes(file));
        embeddings.push({ speaker, vector: (await pipeline.embed(decoded.samples)).vector });
      }
    }
  });
  afterAll(() => pipeline.close());

  it('defaults to the trained mira-speaker-v1 model shipped in the repository (checksum-verified)', () => {
    expect(pipeline.engines().speaker).toMatchObject({ model: 'mira-speaker-v1', status: 'healthy' });
  });

  it('scores against its shipped cohort (as-norm): every dev test utterance ranks its own speaker first', () => {
    expect(pipeline.engines().speaker!.detail).toMatch(
      /normalised against a cohort of \d+ voices \(as-norm\)/,
    );
    const speakers = [...new Set(embeddings.map((e) => e.speaker))];
    const centroids = speakers.map((s) => {
      const own = embeddings.filter((e) => e.speaker === s).slice(0, 3);
      const sum = new Float32Array(own[0]!.vector.length);
      for (const e of own) e.vector.forEach((x, i) => (sum[i]! += x));
      return sum;
    });
    for (const [k, speaker] of speakers.entries()) {
      const test = embeddings.filter((e) => e.speaker === speaker)[3]!.vector;
      const { scale, scores, cosines } = pipeline.scoreVoices('mira-speaker-v1', test, centroids);
      expect(scale).toBe('as-norm');
      expect(cosines[k]).toBeCloseTo(cosine(test, centroids[k]!), 5);
      expect(scores.indexOf(Math.max(...scores))).toBe(k);
      // normalised: the own speaker stands several cohort standard deviations above the others
      expect(scores[k]! - Math.max(...scores.filter((_, j) => j !== k))).toBeGreaterThan(1);
    }
  });

  it('without its cohort file, or with a tampered one, it scores by cosine and health says why', async () => {
    for (const problem of ['missing', 'tampered'] as const) {
      const repoDir = mkdtempSync(join(tmpdir(), 'mira-repo-models-'));
      for (const file of [
        'manifest.json',
        'mira-speaker-v1.onnx',
        'mira-speaker-v1.json',
        'mira-mfcc-baseline-v1.onnx',
      ]) {
        copyFileSync(join(repoModelsDir(), file), join(repoDir, file));
      }
      if (problem === 'tampered') {
        const bytes = readFileSync(join(repoModelsDir(), 'mira-speaker-v1.cohort.f16'));
        bytes[100] = bytes[100]! ^ 0xff;
        writeFileSync(join(repoDir, 'mira-speaker-v1.cohort.f16'), bytes);
      }
      const plain = await testPipeline({}, { repoModelsDir: repoDir });
      expect(plain.engines().speaker).toMatchObject({ model: 'mira-speaker-v1', status: 'degraded' });
      expect(plain.engines().speaker!.detail).toContain(
        problem === 'missing' ? 'cohort unusable (file missing' : 'cohort unusable (checksum mismatch',
      );
      const v = embeddings[0]!.vector;
      expect(plain.scoreVoices('mira-speaker-v1', v, [v]).scale).toBe('cosine');
      plain.close();
    }
  });

  it('multi-condition enrolment: a noisy utterance is closer to the voice enrolled "in noise" than to the clean one', async () => {
    const speakers = librispeechDevSpeakers();
    let closerInNoise = 0;
    for (const [k, { files }] of speakers.entries()) {
      const enrol = (await pipeline.decode(readBytes(files[0]!))).samples;
      const inNoise = (await pipeline.embedInNoise(enrol))!;
      expect(inNoise.vector).toHaveLength(pipeline.speaker!.dimension);
      // deterministic: the same clip always gives the same voiceprint (checked once: each call is three noisy copies)
      if (k === 0)
        expect(cosine(inNoise.vector, (await pipeline.embedInNoise(enrol))!.vector)).toBeCloseTo(1, 6);
      const test = (await pipeline.decode(readBytes(files[1]!))).samples;
      const noisyTest = mixAtSnr(test, whiteNoise(test.length, 100 + k), 5); // not the enrolment's noise
      const heard = (await pipeline.embed((await pipeline.extractSpeech(noisyTest)).speech)).vector;
      const clean = (await pipeline.embed((await pipeline.extractSpeech(enrol)).speech)).vector;
      if (cosine(heard, inNoise.vector) > cosine(heard, clean)) closerInNoise++;
    }
    expect(closerInNoise).toBe(speakers.length);
    // silence has no speech to hear in noise
    expect(await pipeline.embedInNoise(new Float32Array(16000))).toBeNull();
    // CPU-bound (about 20 denoise + VAD + embedding passes): on a loaded 2-core machine it takes minutes, not seconds.
  }, 600_000);

  it('multi-condition enrolment hears the voice among other talkers too (shipped babble); without the file, health says so', async () => {
    const repoDir = mkdtempSync(join(tmpdir(), 'mira-repo-models-'));
    for (const file of readdirSync(repoModelsDir())) {
      if (file !== 'enrolment-babble-v1.f16') copyFileSync(join(repoModelsDir(), file), join(repoDir, file));
    }
    const withoutBabble = await testPipeline({}, { repoModelsDir: repoDir });
    expect(withoutBabble.engines().speaker).toMatchObject({ status: 'degraded' });
    expect(withoutBabble.engines().speaker!.detail).toContain(
      'enrolment babble unusable (enrolment-babble-v1: file missing',
    );
    const speakers = librispeechDevSpeakers();
    const clips = await Promise.all(
      speakers.map(async ({ files }) => ({
        enrol: (await pipeline.decode(readBytes(files[0]!))).samples,
        test: (await pipeline.decode(readBytes(files[1]!))).samples,
      })),
    );
    let nearer = 0;
    for (const [k, { enrol, test }] of clips.entries()) {
      // the test speaker among the other dev speakers (voices the shipped babble does not contain)
      const others = clips.filter((_, j) => j !== k).map((c) => c.test);
      const talkers = babble(others, test.length);
      const heard = (await pipeline.embed((await pipeline.extractSpeech(mixAtSnr(test, talkers, 5))).speech))
        .vector;
      const babbleEnrolled = (await pipeline.embedInNoise(enrol))!.vector;
      const steadyNoiseOnly = (await withoutBabble.embedInNoise(enrol))!.vector;
      if (cosine(heard, babbleEnrolled) > cosine(heard, steadyNoiseOnly)) nearer++;
    }
    withoutBabble.close();
    expect(nearer).toBe(speakers.length);
  }, 600_000); // CPU-bound like the test above

  it('same-speaker embeddings are closer than different-speaker ones on the dev speakers', () => {
    let same = 0;
    let sameN = 0;
    let diff = 0;
    let diffN = 0;
    for (let i = 0; i < embeddings.length; i++) {
      for (let j = i + 1; j < embeddings.length; j++) {
        const c = cosine(embeddings[i]!.vector, embeddings[j]!.vector);
        if (embeddings[i]!.speaker === embeddings[j]!.speaker) {
          same += c;
          sameN++;
        } else {
          diff += c;
          diffN++;
        }
      }
    }
    expect(same / sameN).toBeGreaterThan(diff / diffN + 0.3);
    // every speaker's own utterances are, on average, closer to each other than to any other speaker's
    const speakers = [...new Set(embeddings.map((e) => e.speaker))];
    for (const s of speakers) {
      const mine = embeddings.filter((e) => e.speaker === s);
      const avg = (others: typeof embeddings) =>
        mine.reduce(
          (acc, a) => acc + others.reduce((x, b) => x + (a === b ? 0 : cosine(a.vector, b.vector)), 0),
          0,
        ) /
        (mine.length * others.length - (others === mine ? mine.length : 0));
      for (const t of speakers.filter((x) => x !== s)) {
        expect(avg(mine)).toBeGreaterThan(avg(embeddings.filter((e) => e.speaker === t)));
      }
    }
  });

  it('is L2-normalised and deterministic', async () => {
    const decoded = await pipeline.decode(readBytes(librispeechDevSpeakers()[0]!.files[0]!));
    const a = await pipeline.embed(decoded.samples);
    const b = await pipeline.embed(decoded.samples);
    expect(a.dimension).toBe(a.vector.length);
    expect(a.weak).toBe(false);
    expect(Math.hypot(...a.vector)).toBeCloseTo(1, 5);
    expect(Array.from(a.vector)).toEqual(Array.from(b.vector));
  });

  it('the same clip as WAV, FLAC and MP3 gives nearly the same embedding', async () => {
    const decoded = await pipeline.decode(readBytes(librispeechDevSpeakers()[3]!.files[2]!));
    const wav = encodeWav16(decoded.samples, 16000);
    const fromWav = await pipeline.embed((await pipeline.decode(wav)).samples);
    const fromFlac = await pipeline.embed(
      (await pipeline.decode(transcode(wav, 'flac', ['-c:a', 'flac']))).samples,
    );
    const mp3 = transcode(wav, 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']);
    const fromMp3 = await pipeline.embed((await pipeline.decode(mp3)).samples);
    expect(cosine(fromWav.vector, fromFlac.vector)).toBeGreaterThan(0.999);
    expect(cosine(fromWav.vector, fromMp3.vector)).toBeGreaterThan(0.95);
  });

  it('refuses clips under 0.5 s with 422 AUDIO_TOO_SHORT', async () => {
    const err = await pipeline.embed(new Float32Array(4000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('AUDIO_TOO_SHORT');
    expect((err as AppError).status).toBe(422);
  });

  it('a model dropped into the model dir with a manifest entry (fbank input) works without code changes', async () => {
    const repoDir = mkdtempSync(join(tmpdir(), 'mira-repo-models-'));
    const modelDir = mkdtempSync(join(tmpdir(), 'mira-model-dir-'));
    copyFileSync(join(await prepareTestModelDir(), 'gtcrn_simple.onnx'), join(modelDir, 'gtcrn_simple.onnx'));
    writeFileSync(join(modelDir, 'toy-fbank.onnx'), toyFbankModel());
    const manifest = JSON.parse(readFileSync(join(repoModelsDir(), 'manifest.json'), 'utf8')) as {
      models: Array<Record<string, unknown>>;
    };
    manifest.models.push({
      name: 'toy-fbank',
      role: 'speaker',
      file: 'toy-fbank.onnx',
      location: 'model-dir',
      sha256: null,
      source: 'test',
      licence: 'MIT',
      input: { kind: 'fbank', numMelBins: 80 },
    });
    writeFileSync(join(repoDir, 'manifest.json'), JSON.stringify(manifest));
    copyFileSync(
      join(repoModelsDir(), 'mira-mfcc-baseline-v1.onnx'),
      join(repoDir, 'mira-mfcc-baseline-v1.onnx'),
    );
    const custom = await testPipeline({ SPEAKER_MODEL: 'toy-fbank' }, { modelDir, repoModelsDir: repoDir });
    expect(custom.engines().speaker).toMatchObject({ model: 'toy-fbank', status: 'healthy' });
    const samples = (await custom.decode(readBytes(librispeechDevSpeakers()[0]!.files[0]!))).samples;
    const e = await custom.embed(samples);
    expect(e).toMatchObject({ modelId: 'toy-fbank', dimension: 80, weak: false });
    expect(Math.hypot(...e.vector)).toBeCloseTo(1, 5);
    // the baseline stays loaded for evaluation by name
    expect((await custom.embed(samples, 'mira-mfcc-baseline-v1')).dimension).toBe(38);
    custom.close();
  });

  /** A copy of the repo's models dir with only the baseline, and optionally a stand-in for the trained file. */
  function repoCopy(trainedStandIn: boolean): string {
    const repoDir = mkdtempSync(join(tmpdir(), 'mira-repo-models-'));
    copyFileSync(join(repoModelsDir(), 'manifest.json'), join(repoDir, 'manifest.json'));
    copyFileSync(
      join(repoModelsDir(), 'mira-mfcc-baseline-v1.onnx'),
      join(repoDir, 'mira-mfcc-baseline-v1.onnx'),
    );
    if (trainedStandIn) {
      // a file with the trained model's interface but other bytes: its pinned checksum does not match
      copyFileSync(
        join(repoModelsDir(), 'mira-mfcc-baseline-v1.onnx'),
        join(repoDir, 'mira-speaker-v1.onnx'),
      );
      writeFileSync(join(repoDir, 'mira-speaker-v1.json'), JSON.stringify({ dimension: 38 }));
    }
    return repoDir;
  }

  it('falls back to the weak MFCC baseline when the trained model is missing, and says it is weak', async () => {
    const fallback = await testPipeline({}, { repoModelsDir: repoCopy(false) });
    expect(fallback.engines().speaker).toMatchObject({ model: 'mira-mfcc-baseline-v1', status: 'degraded' });
    expect(fallback.engines().speaker!.detail).toContain('WEAK');
    const decoded = await fallback.decode(readBytes(librispeechDevSpeakers()[0]!.files[0]!));
    expect((await fallback.embed(decoded.samples)).weak).toBe(true);
    fallback.close();
  });

  it('refuses a trained model file whose checksum does not match the manifest', async () => {
    const tampered = await testPipeline({}, { repoModelsDir: repoCopy(true) });
    expect(tampered.engines().speaker).toMatchObject({ model: 'mira-mfcc-baseline-v1', status: 'degraded' });
    tampered.close();
  });
});

describe('Kaldi-style fbank front end (for fbank-input models)', () => {
  it('gives frames × bins log energies, mean-normalised when asked', () => {
    const x = new Float32Array(16000);
    for (let i = 0; i < x.length; i++) x[i] = 0.2 * Math.sin((2 * Math.PI * 1000 * i) / 16000);
    const { data, frames } = computeFbank(x, {
      numMelBins: 80,
      frameLengthMs: 25,
      frameShiftMs: 10,
      cmn: false,
    });
    expect(frames).toBe(98);
    let peak = 0;
    for (let m = 1; m < 80; m++) if (data[10 * 80 + m]! > data[10 * 80 + peak]!) peak = m;
    expect(peak).toBeGreaterThan(15); // 1 kHz sits in the lower-middle mel bins
    expect(peak).toBeLessThan(40);
    const cmn = computeFbank(x, { numMelBins: 80, frameLengthMs: 25, frameShiftMs: 10, cmn: true });
    let mean = 0;
    for (let t = 0; t < cmn.frames; t++) mean += cmn.data[t * 80 + peak]!;
    expect(Math.abs(mean / cmn.frames)).toBeLessThan(1e-3);
    expect(
      computeFbank(new Float32Array(100), { numMelBins: 80, frameLengthMs: 25, frameShiftMs: 10, cmn: true })
        .frames,
    ).toBe(0);
  });
});
