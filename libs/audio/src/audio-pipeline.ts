import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { AudioConfigValues } from '@mira/core';
import { cosine } from '@mira/core/util';
import type {
  EnrolmentSample,
  EnrolmentSpeech,
  DecodedAudio,
  EngineStatus,
  QualityReport,
  SpeechExtract,
  SpeechSegment,
  VoiceEmbedding,
} from './audio.types.js';
import { SAMPLE_RATE } from './audio.types.js';
import { AudioErrors } from './audio.errors.js';
import type { AudioDecoder, DecodeHint } from './decode/audio-decoder.js';
import { DefaultAudioDecoder } from './decode/audio-decoder.js';
import { LibSampleRateResampler } from './decode/resampler.js';
import type { Denoiser } from './denoise/denoiser.port.js';
import { GtcrnDenoiser } from './denoise/gtcrn-denoiser.js';
import { SpectralGateDenoiser } from './denoise/spectral-gate-denoiser.js';
import type { ModelEntry, ResolvedModel } from './models/manifest.js';
import { loadManifest, repoModelsDir as defaultRepoModelsDir, resolveModels } from './models/manifest.js';
import { estimateEnergyQuality } from './quality/energy-quality.js';
import { assessQuality } from './quality/quality-score.js';
import { CohortScoreNormaliser, decodeFloat16 } from './speaker/cohort-normaliser.js';
import { OnnxSpeakerEmbedder } from './speaker/onnx-speaker-embedder.js';
import type { SpeakerEmbedder } from './speaker/speaker-embedder.port.js';
import { EnergyVad, SileroVad } from './vad/silero-vad.js';
import { hysteresisFlags, speechSegments } from './vad/speech-segments.js';
import type { VoiceActivityDetector } from './vad/vad.port.js';
import { embedEnrolment, enrolmentSpeech, MIN_EMBED_SECONDS } from './speaker/enrolment.js';

export interface AudioPipelineOptions {
  modelDir: string;
  audio: AudioConfigValues;
  repoModelsDir?: string;
  /** Receives one line per engine decision (ids and names only). */
  log?: (event: string, fields: Record<string, string | number | boolean>) => void;
}

export { MIN_EMBED_SECONDS } from './speaker/enrolment.js';

function byPriority(models: ResolvedModel[]): ResolvedModel[] {
  return [...models].sort((a, b) => (b.entry.priority ?? 0) - (a.entry.priority ?? 0));
}

export function createOrtSession(pathOrBytes: string | Uint8Array): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  return typeof pathOrBytes === 'string'
    ? ort.InferenceSession.create(pathOrBytes, options)
    : ort.InferenceSession.create(pathOrBytes, options);
}

/**
 * The audio chain without Nest: engines chosen once from the manifest and the files present (sessions created
 * once and reused). AudioService wraps it for DI; benchmarks, evaluations and tests use it directly.
 */
export class AudioPipeline {
  readonly status: Record<string, EngineStatus> = {};
  readonly models: ResolvedModel[] = [];
  private readonly sessions: ort.InferenceSession[] = [];
  /** VAD probabilities per samples array, so assessQuality + detectSpeech on the same clip run the model once. */
  private readonly vadCache = new WeakMap<Float32Array, Promise<Float32Array>>();

  private constructor(
    readonly decoder: AudioDecoder,
    readonly resampler: LibSampleRateResampler,
    readonly denoiser: Denoiser,
    readonly vad: VoiceActivityDetector,
    readonly speakers: Map<string, SpeakerEmbedder>,
    readonly speaker: SpeakerEmbedder | undefined,
    /** Several people talking (manifest role `enrolment-noise`), one of embedInNoise's noises; null when missing. */
    private readonly enrolmentBabble: Float32Array | null,
    private readonly options: AudioPipelineOptions,
  ) {}

  static async create(options: AudioPipelineOptions): Promise<AudioPipeline> {
    const log = options.log ?? (() => undefined);
    const sessions: ort.InferenceSession[] = [];
    const open = async (path: string) => {
      const session = await createOrtSession(path);
      sessions.push(session);
      return session;
    };
    const repoModelsDir = options.repoModelsDir ?? defaultRepoModelsDir();
    const dirs = { modelDir: options.modelDir, repoModelsDir };
    const manifest = loadManifest(repoModelsDir);
    const resolved = await resolveModels(manifest.models, dirs);
    for (const r of resolved) {
      log('audio.model', { name: r.entry.name, role: r.entry.role, check: r.check });
    }
    const status: Record<string, EngineStatus> = {};
    const resampler = new LibSampleRateResampler();
    const decoder = new DefaultAudioDecoder({
      maxBytes: options.audio.maxBytes,
      maxSeconds: options.audio.maxSeconds,
    });
    status.decode = { engine: decoder.name, status: 'healthy' };
    status.resample = { engine: resampler.name, status: 'healthy' };

    const usable = (role: ModelEntry['role']) => resolved.filter((r) => r.entry.role === role && r.present);
    const problemOf = (r: ResolvedModel) =>
      `${r.check === 'mismatch' ? 'checksum mismatch' : 'file missing'} (${r.path})`;
    const describe = (role: ModelEntry['role']) =>
      resolved
        .filter((r) => r.entry.role === role && !r.present)
        .map((r) => `${r.entry.name}: ${problemOf(r)}`)
        .join('; ');

    // Noise reduction: the highest-priority GTCRN graph that loads (the derived multi-frame one, else upstream)
    let denoiser: Denoiser | undefined;
    const denoisers = options.audio.denoiser === 'auto' ? byPriority(usable('denoiser')) : [];
    for (const gtcrn of denoisers) {
      try {
        const framesPerCall = Number((gtcrn.entry.input as { framesPerCall?: number })?.framesPerCall ?? 1);
        denoiser = new GtcrnDenoiser(await open(gtcrn.path), gtcrn.entry.name, framesPerCall);
        status.denoise = {
          engine: 'gtcrn',
          model: gtcrn.entry.name,
          status: 'healthy',
          detail: `${framesPerCall} STFT frame${framesPerCall === 1 ? '' : 's'} per call`,
        };
        break;
      } catch (err) {
        log('audio.engine_failed', {
          role: 'denoiser',
          model: gtcrn.entry.name,
          error: String(err).slice(0, 200),
        });
      }
    }
    if (!denoiser) {
      denoiser = new SpectralGateDenoiser();
      status.denoise = {
        engine: 'spectral-gate',
        status: options.audio.denoiser === 'spectral-gate' ? 'healthy' : 'degraded',
        detail:
          options.audio.denoiser === 'spectral-gate'
            ? 'selected by AUDIO_DENOISER'
            : `GTCRN unavailable, DSP fallback in use (${describe('denoiser') || 'no denoiser model'}); run npm run models:fetch`,
      };
    }

    // Voice activity detection
    let vad: VoiceActivityDetector | undefined;
    const silero = usable('vad')[0];
    if (silero) {
      try {
        vad = new SileroVad(await open(silero.path), silero.entry.name);
        status.vad = { engine: 'silero-vad', model: silero.entry.name, status: 'healthy' };
      } catch (err) {
        log('audio.engine_failed', {
          role: 'vad',
          model: silero.entry.name,
          error: String(err).slice(0, 200),
        });
      }
    }
    if (!vad) {
      vad = new EnergyVad();
      status.vad = {
        engine: 'energy-vad',
        status: 'degraded',
        detail: `Silero VAD unavailable, energy fallback in use (${describe('vad') || 'no VAD model'})`,
      };
    }

    // Speaker embedding: every speaker model present is loaded; the configured one (or the highest priority) is default
    const speakers = new Map<string, SpeakerEmbedder>();
    for (const candidate of byPriority(usable('speaker'))) {
      try {
        const session = await open(candidate.path);
        speakers.set(candidate.entry.name, await OnnxSpeakerEmbedder.create(session, candidate.entry));
      } catch (err) {
        log('audio.engine_failed', {
          role: 'speaker',
          model: candidate.entry.name,
          error: String(err).slice(0, 200),
        });
      }
    }
    // Score normalisation cohorts: attached to their speaker model when present, verified and of its dimension
    const cohortProblems = new Map<string, string>();
    for (const cohort of resolved.filter((r) => r.entry.role === 'speaker-cohort')) {
      const embedder = speakers.get(cohort.entry.for ?? '');
      if (!(embedder instanceof OnnxSpeakerEmbedder)) continue;
      if (!cohort.present) {
        cohortProblems.set(embedder.modelId, problemOf(cohort));
        continue;
      }
      try {
        embedder.normaliser = CohortScoreNormaliser.fromFile(
          cohort.path,
          embedder.dimension,
          cohort.entry.topK ?? 100,
        );
      } catch (err) {
        cohortProblems.set(embedder.modelId, String(err).slice(0, 200));
        log('audio.engine_failed', {
          role: 'speaker-cohort',
          model: cohort.entry.name,
          error: String(err).slice(0, 200),
        });
      }
    }
    // Babble for multi-condition enrolment (embedInNoise): without it voiceprints heard in noise miss babble
    let enrolmentBabble: Float32Array | null = null;
    let babbleProblem = '';
    const babble = resolved.find((r) => r.entry.role === 'enrolment-noise');
    if (babble?.present) enrolmentBabble = decodeFloat16(readFileSync(babble.path));
    else if (babble) babbleProblem = describe('enrolment-noise');
    let speaker: SpeakerEmbedder | undefined;
    const wanted = options.audio.speakerModel;
    if (wanted !== 'auto') speaker = speakers.get(wanted);
    speaker ??= wanted === 'auto' ? [...speakers.values()][0] : undefined;
    if (speaker) {
      const cohortProblem = cohortProblems.get(speaker.modelId);
      const scoring = speaker.normaliser
        ? `; scores normalised against a cohort of ${speaker.normaliser.cohortSize} voices (${speaker.normaliser.scale})`
        : cohortProblem
          ? `; score-normalisation cohort unusable (${cohortProblem}): plain cosine with its own thresholds`
          : '; plain cosine scores';
      status.speaker = {
        engine: 'onnx-speaker-embedder',
        model: speaker.modelId,
        // voiceprints heard in noise are only compared on a cohort-normalised scale, so only there the babble matters
        status:
          speaker.weak || cohortProblem || (babbleProblem && speaker.normaliser) ? 'degraded' : 'healthy',
        detail: `dimension ${speaker.dimension}${speaker.weak ? '; WEAK baseline (MFCC statistics), not a trained speaker network' : ''}${speaker.limitations ? `; weak where measured: ${speaker.limitations}` : ''}${scoring}${babbleProblem && speaker.normaliser ? `; enrolment babble unusable (${babbleProblem}): voiceprints heard in noise use white and pink noise only` : ''}`,
      };
    } else {
      status.speaker = {
        engine: 'none',
        status: 'degraded',
        detail:
          wanted === 'auto'
            ? `no speaker model could be loaded (${describe('speaker')})`
            : `SPEAKER_MODEL=${wanted} is not present or failed to load`,
      };
    }
    const pipeline = new AudioPipeline(
      decoder,
      resampler,
      denoiser,
      vad,
      speakers,
      speaker,
      enrolmentBabble,
      options,
    );
    Object.assign(pipeline.status, status);
    pipeline.models.push(...resolved);
    pipeline.sessions.push(...sessions);
    return pipeline;
  }

  decode(bytes: Uint8Array, hint?: DecodeHint): Promise<DecodedAudio> {
    return this.decoder.decode(bytes, hint);
  }

  private speechProbabilities(samples: Float32Array): Promise<Float32Array> {
    let cached = this.vadCache.get(samples);
    if (!cached) {
      cached = this.vad.probabilities(samples);
      this.vadCache.set(samples, cached);
      cached.catch(() => this.vadCache.delete(samples));
    }
    return cached;
  }

  async assessQuality(samples: Float32Array): Promise<QualityReport> {
    const probabilities = await this.speechProbabilities(samples);
    const { threshold, negThreshold } = this.options.audio.vad;
    const speech = hysteresisFlags(probabilities, threshold, negThreshold);
    return assessQuality(samples, speech, this.vad.frameSamples);
  }

  /** Quality without the VAD model (estimateEnergyQuality): estimates, for stream ingestion. */
  estimateQuality(samples: Float32Array): QualityReport {
    return estimateEnergyQuality(samples, this.options.audio.vad);
  }

  denoise(samples: Float32Array): Promise<Float32Array> {
    return this.denoiser.denoise(samples);
  }

  /** Noise reduction, then VAD: the denoised clip and only its speech (segments concatenated). */
  async extractSpeech(samples: Float32Array): Promise<SpeechExtract> {
    const denoised = await this.denoise(samples);
    const segments = await this.detectSpeech(denoised);
    const parts = segments.map((s) =>
      denoised.subarray(
        Math.max(0, Math.floor(s.start * SAMPLE_RATE)),
        Math.min(denoised.length, Math.ceil(s.end * SAMPLE_RATE)),
      ),
    );
    const speech = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      speech.set(p, offset);
      offset += p.length;
    }
    return { denoised, speech, speechSeconds: speech.length / SAMPLE_RATE };
  }

  async detectSpeech(samples: Float32Array): Promise<SpeechSegment[]> {
    const probabilities = await this.speechProbabilities(samples);
    return speechSegments(
      probabilities,
      this.vad.frameSamples,
      SAMPLE_RATE,
      samples.length,
      this.options.audio.vad,
    );
  }

  /** Embeds with the default speaker model, or with a named one (evaluation harness). */
  async embed(samples: Float32Array, modelId?: string): Promise<VoiceEmbedding> {
    const embedder = modelId ? this.speakers.get(modelId) : this.speaker;
    if (!embedder)
      throw AudioErrors.modelUnavailable(modelId ? `Speaker model ${modelId}` : 'A speaker model');
    if (samples.length < MIN_EMBED_SECONDS * SAMPLE_RATE) {
      throw AudioErrors.tooShort(samples.length / SAMPLE_RATE, MIN_EMBED_SECONDS);
    }
    const vector = await embedder.embed(samples);
    return { vector, modelId: embedder.modelId, dimension: vector.length, weak: embedder.weak };
  }

  /**
   * The voice as the product hears it in a noisy room (multi-condition enrolment, speaker/enrolment.ts): the clip in
   * white and pink noise at 5 dB and the shipped babble at 10 dB, each denoised, cut to its VAD speech and embedded,
   * averaged. Null when no noisy copy keeps enough speech to embed.
   */
  async embedInNoise(samples: Float32Array, modelId?: string): Promise<VoiceEmbedding | null> {
    return this.embedEnrolment(await this.enrolmentSpeech(samples), modelId).then((e) => e.inNoise);
  }

  /**
   * A voiceprint sample of a clip, exactly as enrolment makes one (RecognitionService and the evaluations call this,
   * so their voiceprints are the same): its two steps, the audio (for any model) and its embedding (by one model).
   */
  async enrolmentSample(samples: Float32Array, modelId?: string): Promise<EnrolmentSample> {
    return this.embedEnrolment(await this.enrolmentSpeech(samples), modelId);
  }

  /** The speech enrolment embeds, before any speaker model: the clip's VAD speech, and its speech in noise. */
  enrolmentSpeech(samples: Float32Array): Promise<EnrolmentSpeech> {
    return enrolmentSpeech(this, this.enrolmentBabble, samples);
  }

  /** An enrolment's speech embedded by a speaker model (the default one unless named). */
  embedEnrolment(enrolment: EnrolmentSpeech, modelId?: string): Promise<EnrolmentSample> {
    return embedEnrolment(this, enrolment, modelId);
  }

  /** The scale a speaker model's scores are on: its normalisation's, or `cosine`. */
  speakerScale(modelId: string): string {
    return this.speakers.get(modelId)?.normaliser?.scale ?? 'cosine';
  }

  /**
   * Scores a test embedding against reference embeddings (person centroids) of the same model: the model's cohort
   * normalisation when it ships one, else cosine. Thresholds belong to the returned scale.
   */
  scoreVoices(
    modelId: string,
    test: Float32Array,
    references: Float32Array[],
  ): { scale: string; scores: number[]; cosines: number[] } {
    const embedder = this.speakers.get(modelId);
    if (!embedder) throw AudioErrors.modelUnavailable(`Speaker model ${modelId}`);
    const cosines = references.map((reference) => cosine(test, reference));
    if (!embedder.normaliser) return { scale: 'cosine', scores: cosines, cosines };
    return {
      scale: embedder.normaliser.scale,
      scores: embedder.normaliser.scores(test, references),
      cosines,
    };
  }

  engines(): Record<string, EngineStatus> {
    return { ...this.status };
  }

  /** Lets go of the decoding thread, frees the resampler and the ONNX sessions. Not usable afterwards. */
  close(): void {
    this.decoder.close();
    this.resampler.destroy();
    for (const session of this.sessions.splice(0)) void session.release().catch(() => undefined);
  }
}
