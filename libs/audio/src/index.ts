export * from './audio.types.js';
export * from './audio.errors.js';
export * from './audio.module.js';
export * from './audio.service.js';
export * from './audio-upload.js';
export * from './audio-pipeline.js';
export type { DecodeHint } from './decode/audio-decoder.js';
export {
  openRecordingDecoder,
  type RecordingDecoder,
  type RecordingDecodeResult,
} from './decode/recording-decoder.js';
export { LiveOpusDecoder, OPUS_SAMPLE_RATES } from './decode/codecs/opus-live.js';
export { inspectUploadHead, UPLOAD_HEAD_BYTES, type UploadHead } from './decode/upload-head.js';
export { Fft } from './dsp/fft.js';
export { babble, concatSamples, mixAtSnr, pinkFilter, pinkNoise, siSdr, whiteNoise } from './dsp/signal.js';
export { blindSnrDb, noiseJudgementSnrDb } from './quality/blind-snr.js';
export { compareCopies, type CopyComparison } from './quality/cross-copy-snr.js';
export * from './models/index.js';
export { SpectralGateDenoiser } from './denoise/spectral-gate-denoiser.js';
export { hysteresisFlags } from './vad/speech-segments.js';
export { CohortScoreNormaliser, encodeFloat16 } from './speaker/cohort-normaliser.js';
export { OnnxSpeakerEmbedder } from './speaker/onnx-speaker-embedder.js';
export type {
  Diarization,
  DiarizationOptions,
  DiarizedSpeaker,
  SpeakerTurn,
  SpeechAnalysis,
} from './diarization/diarization.types.js';
export {
  analyseSpeech,
  clusterVoices,
  diarizationBranch,
  diarize,
  diarizeDenoised,
  diarizationOptions,
  DEFAULT_DIARIZATION_OPTIONS,
  type DiarizationEngines,
} from './diarization/diarizer.js';
export { diarizationEngines } from './diarization/engines.js';
export { agglomerate, type WeightedVector } from './diarization/clustering.js';
