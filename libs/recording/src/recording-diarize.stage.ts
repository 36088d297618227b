import { Injectable } from '@nestjs/common';
import { AudioService, type DiarizationPlan, type SpeechAnalysis } from '@mira/audio';
import { pcm16ToFloat, Transactions } from '@mira/core';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import type { StageProgress } from './recording-decode.stage.js';
import { PCM_PART_SECONDS } from './recording-pcm.js';
import { RecordingRepository } from './recording.repository.js';
import type { Recording, RecordingVoice } from './recording.types.js';

/** Turns shorter than this are dropped (a cough between two voices, a VAD blip). */
const MIN_TURN_SECONDS = 0.3;

/**
 * Stages `analyse` and `diarize`. Analyse: each 30 s part's speech regions, sliding windows and their embeddings,
 * stored per part (a resumed run continues with the first part not yet analysed). Diarize: all parts' windows →
 * voices and turns (AudioService.clusterVoices), the turns numbered and stored in one transaction with the stage.
 */
@Injectable()
export class RecordingDiarizeStage {
  constructor(
    private readonly audio: AudioService,
    private readonly parts: RecordingAudioRepository,
    private readonly recordings: RecordingRepository,
    private readonly transactions: Transactions,
  ) {}

  /** The diarization branch is chosen once per recording, from how noisy its parts sound (the median part). */
  async plan(recording: Recording): Promise<DiarizationPlan> {
    let snrDb = recording.diarization.snrDb;
    if (snrDb === undefined) {
      const snrs = (await this.parts.list(recording.networkId, recording.id, 'pcm'))
        .map((p) => p.meta['snr_db'])
        .filter((v): v is number => typeof v === 'number')
        .sort((a, b) => a - b);
      snrDb = snrs.length > 0 ? snrs[Math.floor(snrs.length / 2)]! : null;
      await this.recordings.update(recording.networkId, recording.id, {
        diarization: { ...recording.diarization, snrDb },
      });
      recording.diarization = { ...recording.diarization, snrDb };
    }
    return this.audio.diarizationPlan(snrDb ?? null);
  }

  async analyse(recording: Recording, progress: StageProgress): Promise<void> {
    const { networkId, id } = recording;
    const plan = await this.plan(recording);
    const pcm = await this.parts.list(networkId, id, 'pcm');
    const analysed = new Set((await this.parts.list(networkId, id, 'analysis')).map((p) => p.index));
    let done = analysed.size;
    for (const part of pcm) {
      if (analysed.has(part.index)) continue;
      const stored = await this.parts.get(networkId, id, 'pcm', part.index);
      if (!stored) throw new Error(`PCM part ${part.index} of the recording is missing`);
      const analysis = await this.audio.analyseSpeech(
        pcm16ToFloat(stored.data),
        plan,
        part.index * PCM_PART_SECONDS,
      );
      await this.parts.put(networkId, id, 'analysis', encodeAnalysis(part.index, analysis));
      done += 1;
      await progress(done / pcm.length);
    }
    await this.recordings.update(networkId, id, { stage: 'diarize' });
  }

  async diarize(recording: Recording): Promise<void> {
    const { networkId, id } = recording;
    const plan = await this.plan(recording);
    const analyses: SpeechAnalysis[] = [];
    for (const part of await this.parts.list(networkId, id, 'analysis')) {
      const stored = await this.parts.get(networkId, id, 'analysis', part.index);
      if (stored) analyses.push(decodeAnalysis(stored.data, stored.meta));
    }
    const diarization = this.audio.clusterVoices(analyses, plan);
    const turns = diarization.turns.filter((t) => t.end - t.start >= MIN_TURN_SECONDS);
    const voices: RecordingVoice[] = diarization.speakers.map((s) => ({
      label: s.label,
      speechSeconds: s.speechSeconds,
      personId: null,
      decision: 'pending',
      confidence: null,
    }));
    await this.transactions.run(async (tx) => {
      await this.recordings.insertSegments(
        tx,
        networkId,
        id,
        turns.map((t, index) => ({
          index,
          startMs: Math.round(t.start * 1000),
          endMs: Math.round(t.end * 1000),
          speakerLabel: t.speaker,
        })),
      );
      await this.recordings.update(
        networkId,
        id,
        {
          stage: 'identify',
          speakers: voices,
          diarization: {
            ...recording.diarization,
            modelId: diarization.modelId,
            denoised: diarization.denoised,
            windows: diarization.windows,
          },
        },
        { tx },
      );
      await this.parts.drop(networkId, id, ['analysis'], tx);
    });
  }
}

/** One part's analysis as stored: the embeddings as float32 bytes, regions and windows in meta. */
function encodeAnalysis(
  index: number,
  analysis: SpeechAnalysis,
): { index: number; data: Buffer; meta: Record<string, unknown> } {
  const dim = analysis.vectors[0]?.length ?? 0;
  const data = Buffer.alloc(analysis.vectors.length * dim * 4);
  analysis.vectors.forEach((v, i) =>
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(data, i * dim * 4),
  );
  return { index, data, meta: { dim, regions: analysis.regions, windows: analysis.windows } };
}

function decodeAnalysis(data: Buffer, meta: Record<string, unknown>): SpeechAnalysis {
  const dim = Number(meta['dim'] ?? 0);
  const windows = (meta['windows'] as SpeechAnalysis['windows'] | undefined) ?? [];
  const copy = new Float32Array(data.length / 4);
  new Uint8Array(copy.buffer).set(data);
  const vectors = windows.map((_, i) => copy.subarray(i * dim, (i + 1) * dim));
  return { regions: (meta['regions'] as SpeechAnalysis['regions'] | undefined) ?? [], windows, vectors };
}
