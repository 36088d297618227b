/**
 * The foreground gate: speech the VAD found that is far quieter than the stretch's foreground speech is background
 * (the voices of a babble behind the conversation, heard in its pauses), not a speaker of the recording. Pure function
 * over the audio the VAD heard.
 */
import { SAMPLE_RATE, type SpeechSegment } from '../audio.types.js';
import { frameEnergies } from '../quality/copy-alignment.js';

const FRAME_SECONDS = 0.02;
/** Levels are read over 0.3 s (centred), so the dips between syllables do not count as quiet. */
const SMOOTHING_FRAMES = 15;
/** The foreground level: this quantile of the smoothed levels over the VAD's speech (most of it is the speakers'). */
const FOREGROUND_QUANTILE = 0.9;
/** Loud stretches closer than this are one; a loud stretch shorter than this on its own is dropped. */
const MIN_GAP_SECONDS = 0.3;
const MIN_PIECE_SECONDS = 0.3;

/**
 * The parts of `regions` (seconds into `samples`) whose level is at most `gateDb` under the foreground level of all of
 * `regions`' speech; `gateDb` of 0 or less keeps `regions` as they are.
 */
export function foregroundSpeech(
  samples: Float32Array,
  regions: SpeechSegment[],
  gateDb: number,
): SpeechSegment[] {
  if (!(gateDb > 0) || regions.length === 0) return regions;
  const frame = Math.round(FRAME_SECONDS * SAMPLE_RATE);
  const levels = smoothedLevels(frameEnergies(samples, frame));
  const frameOf = (seconds: number) =>
    Math.min(levels.length, Math.max(0, Math.round(seconds / FRAME_SECONDS)));
  const speech: number[] = [];
  for (const r of regions) for (let f = frameOf(r.start); f < frameOf(r.end); f++) speech.push(levels[f]!);
  if (speech.length === 0) return regions;
  speech.sort((a, b) => a - b);
  const floor =
    speech[Math.min(speech.length - 1, Math.floor(FOREGROUND_QUANTILE * speech.length))]! - gateDb;

  const kept: SpeechSegment[] = [];
  for (const r of regions) {
    const pieces: SpeechSegment[] = [];
    let start = -1;
    const close = (f: number) => {
      // the audio's last partial frame has no level of its own: a loud stretch up to it runs to the region's end
      const end = f === levels.length ? r.end : Math.min(r.end, f * FRAME_SECONDS);
      const piece = { start: Math.max(r.start, start * FRAME_SECONDS), end };
      const last = pieces[pieces.length - 1];
      if (last && piece.start - last.end < MIN_GAP_SECONDS) last.end = piece.end;
      else pieces.push(piece);
      start = -1;
    };
    const to = frameOf(r.end);
    for (let f = frameOf(r.start); f < to; f++) {
      const loud = levels[f]! >= floor;
      if (loud && start < 0) start = f;
      else if (!loud && start >= 0) close(f);
    }
    if (start >= 0) close(to);
    kept.push(...pieces.filter((p) => p.end - p.start >= MIN_PIECE_SECONDS));
  }
  return kept;
}

/** dB of each frame's energy averaged over SMOOTHING_FRAMES around it. */
function smoothedLevels(energies: Float64Array): Float64Array {
  const prefix = new Float64Array(energies.length + 1);
  for (let i = 0; i < energies.length; i++) prefix[i + 1] = prefix[i]! + energies[i]!;
  const half = Math.floor(SMOOTHING_FRAMES / 2);
  return Float64Array.from(energies, (_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(energies.length, i + half + 1);
    return 10 * Math.log10((prefix[to]! - prefix[from]!) / (to - from) + 1e-12);
  });
}
