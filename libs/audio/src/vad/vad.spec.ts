import type { AudioPipeline } from '../audio-pipeline.js';
import { readBytes, testPipeline } from '../../../../test/support/audio.js';
import { LIBRISPEECH_DEV_DIR } from '../../../../tooling/shared-data.js';
import { whiteNoise } from '../dsp/signal.js';
import { EnergyVad } from './silero-vad.js';
import { hysteresisFlags, speechSegments } from './speech-segments.js';

const SR = 16000;

/** 1.75 s of continuous read speech (inside a span Silero and a listener both call speech), placed at 2.0 s. */
async function knownSpan(
  pipeline: AudioPipeline,
): Promise<{ clip: Float32Array; start: number; end: number }> {
  const decoded = await pipeline.decode(readBytes(`${LIBRISPEECH_DEV_DIR}/1688/1688-142285-0000.flac`));
  const speech = decoded.samples.subarray(Math.round(4.05 * SR), Math.round(5.8 * SR));
  const clip = whiteNoise(6 * SR, 7).map((v) => v * 0.001); // −60 dBFS background
  clip.set(speech, 2 * SR);
  return { clip, start: 2.0, end: 2.0 + speech.length / SR };
}

describe('VAD: Silero ONNX with our own loop finds speech spans', () => {
  let pipeline: AudioPipeline;
  beforeAll(async () => {
    pipeline = await testPipeline({ VAD_SPEECH_PAD_MS: '0', VAD_MIN_SILENCE_MS: '300' });
  });
  afterAll(() => pipeline.close());

  it('runs the real Silero model', () => {
    expect(pipeline.engines().vad).toMatchObject({ engine: 'silero-vad', status: 'healthy' });
  });

  it('finds a known speech span within ±100 ms', async () => {
    const { clip, start, end } = await knownSpan(pipeline);
    const segments = await pipeline.detectSpeech(clip);
    expect(segments).toHaveLength(1);
    expect(Math.abs(segments[0]!.start - start)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(segments[0]!.end - end)).toBeLessThanOrEqual(0.1);
  });

  it('finds nothing in silence or in low white noise', async () => {
    expect(await pipeline.detectSpeech(new Float32Array(3 * SR))).toEqual([]);
    expect(await pipeline.detectSpeech(whiteNoise(3 * SR, 3).map((v) => v * 0.01))).toEqual([]);
  });

  it('pads segments by VAD_SPEECH_PAD_MS, clamped to the clip', async () => {
    const padded = await testPipeline({ VAD_SPEECH_PAD_MS: '250' });
    const { clip, start } = await knownSpan(pipeline);
    const segments = await padded.detectSpeech(clip);
    expect(segments[0]!.start).toBeLessThan(start - 0.1);
    padded.close();
  });
});

describe('speech segments: hysteresis and minimum durations (pure policy)', () => {
  const opts = { threshold: 0.5, negThreshold: 0.35, minSpeechMs: 64, minSilenceMs: 96, speechPadMs: 0 };
  const frame = 512;
  const probs = (values: number[]) => Float32Array.from(values);

  it('keeps speaking through dips that stay above the negative threshold', () => {
    const p = probs([0, 0.9, 0.9, 0.4, 0.4, 0.9, 0.9, 0, 0, 0, 0]);
    expect(speechSegments(p, frame, SR, p.length * frame, opts)).toEqual([
      { start: (1 * frame) / SR, end: (7 * frame) / SR },
    ]);
    expect(Array.from(hysteresisFlags(p, 0.5, 0.35))).toEqual([0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('bridges silences shorter than minSilenceMs and splits on longer ones', () => {
    const short = probs([0.9, 0.9, 0.1, 0.9, 0.9, 0, 0, 0, 0]);
    expect(speechSegments(short, frame, SR, short.length * frame, opts)).toHaveLength(1);
    const long = probs([0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0, 0, 0, 0]);
    expect(speechSegments(long, frame, SR, long.length * frame, opts)).toHaveLength(2);
  });

  it('drops speech shorter than minSpeechMs and closes a segment at the end of the clip', () => {
    const blip = probs([0, 0.9, 0, 0, 0, 0, 0]);
    expect(speechSegments(blip, frame, SR, blip.length * frame, opts)).toEqual([]);
    const open = probs([0, 0.9, 0.9, 0.9]);
    expect(speechSegments(open, frame, SR, open.length * frame - 100, opts)).toEqual([
      { start: frame / SR, end: (open.length * frame - 100) / SR },
    ]);
  });

  it('merges segments whose padding overlaps', () => {
    const p = probs([0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0, 0, 0, 0]);
    const merged = speechSegments(p, frame, SR, p.length * frame, { ...opts, speechPadMs: 200 });
    expect(merged).toHaveLength(1);
    expect(merged[0]!.start).toBe(0);
  });
});

describe('energy VAD fallback (used when no Silero file exists)', () => {
  it('scores a loud tone as speech-like and silence as not', async () => {
    const vad = new EnergyVad();
    const clip = new Float32Array(2 * SR);
    for (let i = SR; i < 2 * SR; i++) clip[i] = 0.3 * Math.sin((2 * Math.PI * 200 * i) / SR);
    const p = await vad.probabilities(clip);
    expect(p[5]).toBeLessThan(0.1);
    expect(p[p.length - 5]).toBeGreaterThan(0.9);
  });
});
