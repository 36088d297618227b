import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioPipeline } from '../audio-pipeline.js';
import { devSpeakers, readBytes, testPipeline } from '../../../../test/support/audio.js';
import { mixAtSnr, pinkNoise, siSdr, whiteNoise } from '../dsp/signal.js';
import { Stft } from '../dsp/stft.js';
import { SpectralGateDenoiser } from './spectral-gate-denoiser.js';

describe('noise reduction: GTCRN streaming ONNX and its DSP fallback (issue 4, stage noise reduction)', () => {
  let pipeline: AudioPipeline;
  let clean: Float32Array;
  beforeAll(async () => {
    pipeline = await testPipeline();
    clean = (await pipeline.decode(readBytes(devSpeakers()[2]!.files[1]!))).samples.slice(0, 16000 * 6);
  });
  afterAll(() => pipeline.close());

  it('runs GTCRN from the model directory', () => {
    expect(pipeline.engines().denoise).toMatchObject({
      engine: 'gtcrn',
      model: 'gtcrn-simple',
      status: 'healthy',
    });
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

  it('falls back to spectral gating, reported degraded, when the GTCRN file is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mira-empty-models-'));
    const fallback = await testPipeline({}, { modelDir: empty });
    const status = fallback.engines().denoise!;
    expect(status.engine).toBe('spectral-gate');
    expect(status.status).toBe('degraded');
    expect(status.detail).toContain('gtcrn_simple.onnx');
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
