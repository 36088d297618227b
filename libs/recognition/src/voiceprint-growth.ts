/**
 * A voiceprint grows with its person's confidently named speech (judgeSpeaker's `refine`: clean speech named on its
 * own strong evidence by the current model, never by context), within a bound: every enrolment sample stays, and
 * of the automatic samples only the newest are kept. A person gathered from unknown speech has no enrolment sample:
 * their voiceprint is only the utterances they were gathered from and those named since, so it keeps more of them
 * (`gathering.voiceprintMaxSamples`) than an enrolled person's automatic samples (`autoSamplesMax`), which sit beside
 * the enrolment. Pure: the voiceprint service trims the stored samples with it, the evaluations their simulated ones.
 */
import type { SpeakerPolicy } from './speaker-policy.js';
import type { VoiceprintSource } from './voiceprint.types.js';

/** How many automatic samples of one model a person's voiceprint keeps (newest first); 0: it never grows. */
export function autoSamplesKept(policy: SpeakerPolicy, enrolled: boolean): number {
  if (policy.autoSamplesMax <= 0) return 0;
  return enrolled
    ? policy.autoSamplesMax
    : Math.max(policy.autoSamplesMax, policy.gathering.voiceprintMaxSamples ?? 0);
}

/**
 * The samples a voiceprint of one model keeps, oldest first as given: all its enrolment samples, and the newest
 * automatic ones up to `autoSamplesKept`.
 */
export function keptSamples<T extends { source: VoiceprintSource }>(
  samples: readonly T[],
  policy: SpeakerPolicy,
): T[] {
  const enrolled = samples.some((s) => s.source === 'enrolment');
  let autos = samples.filter((s) => s.source === 'auto').length;
  const keep = autoSamplesKept(policy, enrolled);
  return samples.filter((s) => s.source === 'enrolment' || autos-- <= keep);
}
