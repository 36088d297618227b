import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig, AppLogger, HealthRegistry } from '@mira/core';
import type {
  DecodedAudio,
  EnrolmentSample,
  EngineStatus,
  QualityReport,
  SpeechExtract,
  SpeechSegment,
  VoiceEmbedding,
} from './audio.types.js';
import { AudioPipeline } from './audio-pipeline.js';
import type { Diarization, DiarizationOptions, SpeechAnalysis } from './diarization/diarization.types.js';
import {
  analyseSpeech,
  clusterVoices,
  diarizationBranch,
  diarizationOptions,
  diarize,
  diarizeDenoised,
} from './diarization/diarizer.js';
import { diarizationEngines } from './diarization/engines.js';
import type { DecodeHint } from './decode/audio-decoder.js';
import { openRecordingDecoder, type RecordingDecoder } from './decode/recording-decoder.js';
import { AudioErrors } from './audio.errors.js';
import { MIN_EMBED_SECONDS } from './speaker/enrolment.js';
import { compareCopiesAsync, type CopyComparison } from './quality/cross-copy-snr.js';
import {
  acquireAudioWorkerPool,
  AudioPoolUnavailableError,
  releaseAudioWorkerPool,
  type AudioWorkerPool,
} from './workers/audio-pool.js';
import type { AudioWork, AudioWorkResults } from './workers/audio-work.js';
import { SAMPLE_RATE } from './audio.types.js';

/** How one recording is diarized (AudioService.diarizationPlan). */
export interface DiarizationPlan {
  modelId: string;
  options: DiarizationOptions;
  denoised: boolean;
}

/**
 * The audio module's one service: decode any accepted upload to 16 kHz mono, score its quality, reduce noise, find
 * speech and compute a voice embedding. Engines are chosen at startup (see /health/detailed); sessions are reused.
 * Decoding runs on its own thread; quality, speech extraction, embedding and the copy comparison (the per-chunk and
 * per-utterance work) run on a pool of AUDIO_WORKERS threads with their own engines when it is configured (off by
 * default: docs/audio.md says when it pays), else on this thread's engines. Sample arrays are treated as immutable: VAD results are cached per array, so do not modify one in place
 * after passing it in (every method that changes audio returns a new array).
 */
@Injectable()
export class AudioService implements OnModuleInit, OnApplicationShutdown {
  private pipeline?: AudioPipeline;
  private starting?: Promise<AudioPipeline>;
  private pool?: AudioWorkerPool;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly health: HealthRegistry,
  ) {
    // Started while Nest builds the other providers, not in onModuleInit: the ONNX sessions, created on this thread,
    // then fill the waits of the database's connection and migration check instead of following them. Failures are
    // reported by onModuleInit, which awaits the same promise.
    this.ready().catch(() => undefined);
  }

  async onModuleInit(): Promise<void> {
    const pipeline = await this.ready();
    for (const [stage, status] of Object.entries(pipeline.engines())) {
      this.health.register(`audio_${stage}`, () => ({ ...status }));
    }
    const missing = pipeline.models.filter((m) => !m.present).map((m) => m.entry.name);
    const workers = this.config.values.audio.workers;
    if (workers > 0) {
      // Started now, ready a moment after the server (jobs wait for the first thread that is).
      this.pool = acquireAudioWorkerPool(
        { modelDir: this.config.values.modelDir, audio: this.config.values.audio },
        workers,
        (event, fields) => this.logger.warn(event, fields),
      );
    }
    this.logger.info('audio.ready', {
      denoise: pipeline.status.denoise?.engine,
      vad: pipeline.status.vad?.engine,
      speaker: pipeline.status.speaker?.model ?? 'none',
      missing_models: missing,
      worker_threads: workers,
    });
  }

  onApplicationShutdown(): void {
    if (this.pool) releaseAudioWorkerPool(this.pool);
    this.pool = undefined;
    if (this.pipeline) this.pipeline.close();
    // still starting: an application closed before its own start finished
    else this.starting?.then((pipeline) => pipeline.close()).catch(() => undefined);
  }

  /** Bytes of any accepted format → 16 kHz mono float32. Throws AppError 4xx (see AudioErrors). */
  async decode(bytes: Buffer, hint?: DecodeHint): Promise<DecodedAudio> {
    return (await this.ready()).decode(bytes, hint);
  }

  /**
   * A decoder for one long recording, fed its bytes in order and answering 16 kHz mono in blocks, so a recording of
   * hours is never held whole (decode() is for uploads bounded by AUDIO_MAX_SECONDS).
   */
  openRecordingDecoder(options: { maxSeconds: number; mimetype?: string }): RecordingDecoder {
    return openRecordingDecoder(options);
  }

  /** Quality with the VAD's speech frames (Silero: ~11 ms per second of audio, on the pool when there is one). */
  async assessQuality(samples: Float32Array): Promise<QualityReport> {
    return this.offload({ op: 'quality', samples }, (pipeline) => pipeline.assessQuality(samples));
  }

  /**
   * Quality with frame energies standing in for the VAD (AudioPipeline.estimateQuality): on this thread, a few
   * milliseconds, no model; its speech figures are estimates. What stream ingestion answers with.
   */
  async estimateQuality(samples: Float32Array): Promise<QualityReport> {
    return (await this.ready()).estimateQuality(samples);
  }

  async denoise(samples: Float32Array): Promise<Float32Array> {
    return (await this.ready()).denoise(samples);
  }

  async detectSpeech(samples: Float32Array): Promise<SpeechSegment[]> {
    return (await this.ready()).detectSpeech(samples);
  }

  /** Noise reduction, then VAD: the denoised clip and only its speech. */
  async extractSpeech(samples: Float32Array): Promise<SpeechExtract> {
    return this.offload({ op: 'extractSpeech', samples }, (pipeline) => pipeline.extractSpeech(samples));
  }

  /**
   * L2-normalised embedding from the default speaker model, or from another loaded one (voiceprints awaiting
   * re-enrolment). Throws AUDIO_TOO_SHORT under 0.5 s.
   */
  async embed(samples: Float32Array, modelId?: string): Promise<VoiceEmbedding> {
    const pipeline = await this.ready();
    // The refusals are checked here, where they keep their error codes (a worker's errors come back as text).
    if (!(modelId ? pipeline.speakers.has(modelId) : pipeline.speaker))
      return pipeline.embed(samples, modelId);
    if (samples.length < MIN_EMBED_SECONDS * SAMPLE_RATE) {
      throw AudioErrors.tooShort(samples.length / SAMPLE_RATE, MIN_EMBED_SECONDS);
    }
    return this.offload({ op: 'embed', samples, modelId }, (p) => p.embed(samples, modelId));
  }

  /**
   * Compares copies of one moment heard by several microphones: cross-copy SNR of each and the distinct sounds among
   * them (stream arbitration; quality/cross-copy-snr.ts). On the worker threads; on this thread it yields to the event
   * loop between pairs.
   */
  async compareCopies(copies: Float32Array[]): Promise<CopyComparison> {
    return this.offload({ op: 'compareCopies', copies }, () => compareCopiesAsync(copies));
  }

  /** Speaker models loaded besides the default one can still score their own voiceprints. */
  async speakerModels(): Promise<string[]> {
    return [...(await this.ready()).speakers.keys()];
  }

  /** A voiceprint sample of a clip as enrolment makes it (VAD speech embedded, and the clip heard in noise). */
  async enrolmentSample(samples: Float32Array): Promise<EnrolmentSample> {
    return (await this.ready()).enrolmentSample(samples);
  }

  /**
   * Who spoke when (speakers unknown in number): turns and each voice's centroid, labelled S1, S2, … for this
   * audio only. Needs the speaker model (AUDIO_MODEL_UNAVAILABLE otherwise).
   */
  async diarize(
    samples: Float32Array,
    overrides: Parameters<typeof diarizationOptions>[1] = {},
  ): Promise<Diarization> {
    const engines = diarizationEngines(await this.ready());
    return diarize(engines, samples, diarizationOptions(engines.modelId, overrides));
  }

  /**
   * Who spoke when in a short clip already denoised by extractSpeech (an utterance): the clean or the noisy options as
   * the clip's heard SNR says, without a second noise reduction (VAD results of the same array are reused).
   */
  async diarizeDenoised(denoised: Float32Array, snrDb: number | null): Promise<Diarization> {
    const engines = diarizationEngines(await this.ready());
    return diarizeDenoised(engines, denoised, diarizationOptions(engines.modelId), snrDb);
  }

  /**
   * How a long recording analysed part by part is diarized: the default speaker model's options, on the noisy branch
   * (denoised first) when the recording's blind SNR is under the threshold. Made once per recording, so every part
   * is analysed the same way.
   */
  async diarizationPlan(snrDb: number | null): Promise<DiarizationPlan> {
    const engines = diarizationEngines(await this.ready());
    const { options, denoised } = diarizationBranch(diarizationOptions(engines.modelId), snrDb);
    return { modelId: engines.modelId, options, denoised };
  }

  /** One part of a recording: speech regions, sliding windows and their embeddings (times from the recording's start). */
  async analyseSpeech(
    samples: Float32Array,
    plan: DiarizationPlan,
    offsetSeconds: number,
  ): Promise<SpeechAnalysis> {
    const engines = diarizationEngines(await this.ready());
    if (engines.modelId !== plan.modelId) {
      throw new Error(`The recording was planned with speaker model ${plan.modelId}, now ${engines.modelId}`);
    }
    return analyseSpeech(engines, samples, plan.options, plan.denoised, offsetSeconds);
  }

  /** Every part's analysis, in time order → voices and turns. */
  clusterVoices(analyses: SpeechAnalysis[], plan: DiarizationPlan): Diarization {
    return { ...clusterVoices(analyses, plan.options), modelId: plan.modelId, denoised: plan.denoised };
  }

  /** The clip's voice as heard in white, pink and babble noise through the denoiser (multi-condition enrolment), or null. */
  async embedInNoise(samples: Float32Array): Promise<VoiceEmbedding | null> {
    return (await this.ready()).embedInNoise(samples);
  }

  /** The scale a speaker model's scores are on (`as-norm` when it ships a cohort, else `cosine`). */
  async speakerScale(modelId: string): Promise<string> {
    return (await this.ready()).speakerScale(modelId);
  }

  /** A model's scoring as a synchronous function (for judgeSpeaker), once the engines are ready. */
  async voiceScorer(
    modelId: string,
  ): Promise<
    (test: Float32Array, references: Float32Array[]) => { scale: string; scores: number[]; cosines: number[] }
  > {
    const pipeline = await this.ready();
    return (test, references) => pipeline.scoreVoices(modelId, test, references);
  }

  /** Test embedding against references of the same model, on the model's scale (cohort-normalised or cosine). */
  async scoreVoices(
    modelId: string,
    test: Float32Array,
    references: Float32Array[],
  ): Promise<{ scale: string; scores: number[]; cosines: number[] }> {
    return (await this.ready()).scoreVoices(modelId, test, references);
  }

  engines(): Record<string, EngineStatus> {
    return this.pipeline?.engines() ?? {};
  }

  /** On the worker pool when there is one that works, else on this thread's engines. */
  private async offload<K extends AudioWork['op']>(
    work: AudioWork & { op: K },
    here: (pipeline: AudioPipeline) => Promise<AudioWorkResults[K]>,
  ): Promise<AudioWorkResults[K]> {
    const pipeline = await this.ready();
    if (!this.pool?.usable) return here(pipeline);
    try {
      return await this.pool.run<K>(work);
    } catch (err) {
      if (err instanceof AudioPoolUnavailableError) return here(pipeline);
      throw err;
    }
  }

  private ready(): Promise<AudioPipeline> {
    if (this.pipeline) return Promise.resolve(this.pipeline);
    this.starting ??= AudioPipeline.create({
      modelDir: this.config.values.modelDir,
      audio: this.config.values.audio,
      log: (event, fields) => this.logger.info(event, fields),
    }).then((pipeline) => (this.pipeline = pipeline));
    return this.starting;
  }
}
