import type { AudioPipeline } from '../audio-pipeline.js';
import { MIN_EMBED_SECONDS } from '../audio-pipeline.js';
import { AudioErrors } from '../audio.errors.js';
import type { DiarizationEngines } from './diarizer.js';

/** The audio chain's engines as diarization uses them: its denoiser, its VAD and its default speaker model. */
export function diarizationEngines(pipeline: AudioPipeline): DiarizationEngines {
  const speaker = pipeline.speaker;
  if (!speaker) throw AudioErrors.modelUnavailable('A speaker model');
  return {
    modelId: speaker.modelId,
    minEmbedSeconds: MIN_EMBED_SECONDS,
    denoise: (samples) => pipeline.denoise(samples),
    detectSpeech: (samples) => pipeline.detectSpeech(samples),
    embed: async (samples) => (await pipeline.embed(samples)).vector,
  };
}
