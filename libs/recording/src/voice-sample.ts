/** Speech of a voice judged by the speaker policy: its longest turns, up to this much. */
export const VOICE_SAMPLE_SECONDS = 30;

/**
 * The stretches a recording's voice is judged on: its longest turns first, cut so that together they hold at most
 * VOICE_SAMPLE_SECONDS (seconds from the recording's start).
 */
export function voiceSample(
  turns: Array<{ start: number; end: number }>,
): Array<{ start: number; end: number }> {
  const longest = [...turns].sort((a, b) => b.end - b.start - (a.end - a.start));
  const out: Array<{ start: number; end: number }> = [];
  let seconds = 0;
  for (const t of longest) {
    if (seconds >= VOICE_SAMPLE_SECONDS) break;
    const length = Math.min(t.end - t.start, VOICE_SAMPLE_SECONDS - seconds);
    out.push({ start: t.start, end: t.start + length });
    seconds += length;
  }
  return out;
}
