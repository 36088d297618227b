import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioPipeline } from '../audio-pipeline.js';
import { createOrtSession } from '../audio-pipeline.js';
import { prepareTestModelDir, readBytes, testPipeline } from '../../../../test/support/audio.js';
import { librispeechDevSpeakers } from '../../../../tooling/shared-data.js';
import { mixAtSnr, pinkNoise, siSdr, whiteNoise } from '../dsp/signal.js';
import { Stft } from '../dsp/stft.js';
import { GtcrnDenoiser } from './gtcrn-denoiser.js';
import { SpectralGateDenoiser } from './spectral-gate-denoiser.js';

/** A MODEL_DIR holding only the upstream GTCRN export, without the derived multi-frame graph. */
async function modelDirWithUpstreamOnly(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mira-models-upstream-'));
  copyFileSync(join(await prepareTestModelDir(), 'gtcrn_simple.onnx'), join(dir, 'gtcrn_simple.onnx'));
  return dir;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('noise reduction: GTCRN streaming ONNX and its DSP fallback', () => {
  let pipeline: AudioPipeline;
  let clean: Float32Array;
  beforeAll(async () => {
    pipeline = await testPipeline();
    clean = (await pipeline.decode(readBytes(librispeechDevSpeakers()[2]!.files[1]!))).samples.slice(
      0,
      16000 * 6,
    );
  });
  afterAll(() => pipeline.close());

  it('runs the derived multi-frame GTCRN graph (64 frames a call) ahead of the upstream one-frame export', () => {
    expect(pipeline.engines().denoise).toMatchObject({
      engine: 'gtcrn',
      model: 'gtcrn-multiframe-v1',
      status: 'healthy',
      detail: '64 STFT frames per call',
    });
  });

  it('the multi-frame graph gives the upstream one-frame-per-call output on real noisy speech, whatever the chunking', async () => {
    const noisy = mixAtSnr(clean, pinkNoise(clean.length, 23), 5);
    const upstream = await createOrtSession(join(await prepareTestModelDir(), 'gtcrn_simple.onnx'));
    const derived = await createOrtSession(join(await prepareTestModelDir(), 'gtcrn-multiframe-v1.onnx'));
    try {
      const reference = await new GtcrnDenoiser(upstream, 'gtcrn-simple', 1).denoise(noisy);
      const chunked = await new GtcrnDenoiser(derived, 'gtcrn-multiframe-v1', 7).denoise(noisy);
      const product = await pipeline.denoise(noisy);
      // same weights, same caches: float32 rounding only (the signal peaks near 0.5)
      expect(maxAbsDiff(chunked, reference)).toBeLessThan(1e-4);
      expect(maxAbsDiff(product, reference)).toBeLessThan(1e-4);
      expect(siSdr(product, reference)).toBeGreaterThan(60);
    } finally {
      await upstream.release();
      await derived.release();
    }
  });

  it('without the derived graph, the upstream one-frame export from the model directory runs', async () => {
    const upstreamOnly = await testPipeline({}, { modelDir: await modelDirWithUpstreamOnly() });
    expect(upstreamOnly.engines().denoise).toMatchObject({
      engine: 'gtcrn',
      model: 'gtcrn-simple',
      status: 'healthy',
      detail: '1 STFT frame per call',
    });
    upstreamOnly.close();
  });

  it('GTCRN raises SI-SDR on speech mixed with pink noise at 5 dB and keeps the length', async () => {
    const noisy = mixAtSnr(clean, pinkNoise(clean.length, 21), 5);
    const enhanced = await pipeline.denoise(noisy);
    expect(enhanced.length).toBe(noisy.length);
    expect(siSdr(enhanced, clean) - siSdr(noisy, clean)).toBeGreaterThan(3);
  });

  it('the spectral gate raises SI-SDR on speech with white noise', async () => {
    const noisy = mixAtSnr(clean, whiteNoise(clean.length, 22), 5);
    const enhanced = await new SpectralGateDenoiser().denoise(noisy);
    expect(enhanced.length).toBe(noisy.length);
    expect(siSdr(enhanced, clean)).toBeGreaterThan(siSdr(noisy, clean) + 1);
    expect(await new SpectralGateDenoiser().denoise(new Float32Array(0))).toHaveLength(0);
  });

  it('STFT → ISTFT with sqrt-Hann reconstructs the input', () => {
    const stft = new Stft(512, 256);
    const x = whiteNoise(5000, 4);
    const y = new Float32Array(x.length);
    const re = new Float64Array(257);
    const im = new Float64Array(257);
    for (let t = 0; t < stft.frameCount(x.length); t++) {
      stft.analyse(x, t, re, im);
      stft.synthesise(re, im, t, y);
    }
    let maxErr = 0;
    for (let i = 0; i < x.length; i++) maxErr = Math.max(maxErr, Math.abs(x[i]! - y[i]!));
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('falls back to spectral gating, reported degraded, when both GTCRN files are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mira-empty-models-'));
    const fallback = await testPipeline({}, { modelDir: empty });
    const status = fallback.engines().denoise!;
    expect(status.engine).toBe('spectral-gate');
    expect(status.status).toBe('degraded');
    expect(status.detail).toContain('gtcrn_simple.onnx');
    expect(status.detail).toContain('gtcrn-multiframe-v1.onnx');
    const out = await fallback.denoise(mixAtSnr(clean, whiteNoise(clean.length, 5), 5));
    expect(out.length).toBe(clean.length);
    fallback.close();
  });

  it('AUDIO_DENOISER=spectral-gate selects the DSP engine on purpose (healthy)', async () => {
    const chosen = await testPipeline({ AUDIO_DENOISER: 'spectral-gate' });
    expect(chosen.engines().denoise).toMatchObject({ engine: 'spectral-gate', status: 'healthy' });
    chosen.close();
  });
});
