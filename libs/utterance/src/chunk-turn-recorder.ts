import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { type Interaction, InteractionService } from '@mira/interaction';
import { VoiceGatheringService, VoiceprintService } from '@mira/recognition';
import type { ChunkForProcessing } from '@mira/stream';
import type { ChunkVoices } from './chunk-voice-splitter.js';
import { type PlannedTurn, plannedTurns, round3, speakerMetadata } from './utterance-turns.js';

/**
 * The interactions of a chunk heard as several voices: one per turn (`source_turn` 0, 1, … in time order), each with
 * its voice's person, `occurred_at` at the turn's start and `metadata.audio.turn`; the plan of every turn kept on the
 * first one (`metadata.pipeline.turns`), so that a run that stopped between two turns records the rest the same way.
 */
@Injectable()
export class ChunkTurnRecorder {
  constructor(
    private readonly interactions: InteractionService,
    private readonly voiceprints: VoiceprintService,
    private readonly gathering: VoiceGatheringService,
    private readonly logger: AppLogger,
  ) {}

  /** Every turn of a chunk of several voices, then each voice's voiceprint refined or its unknown voice gathered. */
  async recordVoices(
    networkId: string,
    chunk: ChunkForProcessing,
    split: ChunkVoices,
    snrDb: number,
  ): Promise<Interaction[]> {
    const plan: PlannedTurn[] = split.turns.map((t) => {
      const d = split.voices.get(t.speaker)!.decision;
      return {
        start: round3(t.start),
        end: round3(t.end),
        speaker_label: t.speaker,
        person_id: d.kind === 'match' ? d.personId : null,
        decision: d.kind,
        confidence: d.kind === 'match' ? d.similarity : null,
      };
    });
    const rows: Interaction[] = [];
    const firstRowOf = new Map<string, { row: Interaction; fresh: boolean }>();
    for (const [index, turn] of plan.entries()) {
      const identification = split.voices.get(turn.speaker_label)!;
      const speaker = { ...speakerMetadata(identification, snrDb), speaker_label: turn.speaker_label };
      const recorded = await this.recordTurn(
        networkId,
        chunk,
        index,
        turn,
        speaker,
        index === 0 ? plan : undefined,
      );
      rows.push(recorded.row);
      if (!firstRowOf.has(turn.speaker_label)) firstRowOf.set(turn.speaker_label, recorded);
    }
    // Like a one-voice chunk, once per voice (its first turn stands for it): a clear match refines the person's
    // voiceprint; a voice clearly nobody's is gathered, and becomes a new person only once enough of it is kept.
    for (const [label, { row, fresh }] of firstRowOf) {
      const identification = split.voices.get(label)!;
      const d = identification.decision;
      if (!fresh) continue;
      if (d.kind === 'match' && d.refine) {
        await this.voiceprints.addAutoSample(networkId, d.personId, identification, row.id);
        continue;
      }
      const newPersonId = await this.gathering.gather(networkId, identification, row.id);
      if (!newPersonId) continue;
      for (const [i, turn] of plan.entries()) {
        if (turn.speaker_label !== label) continue;
        rows[i] = await this.interactions.applySystemChanges(networkId, rows[i]!.id, {
          personId: newPersonId,
          metadata: {
            ...rows[i]!.metadata,
            speaker: {
              ...(rows[i]!.metadata.speaker as Record<string, unknown>),
              decision: 'new_person',
              reason: null,
            },
          },
        });
      }
    }
    this.logger.info('utterance_voices_split', {
      network_id: networkId,
      chunk_id: chunk.chunkId,
      voices: split.voices.size,
      turns: plan.length,
    });
    return rows;
  }

  /** One interaction of a chunk of several voices (turn `index`); `fresh` is false when another run recorded it. */
  private async recordTurn(
    networkId: string,
    chunk: Omit<ChunkForProcessing, 'samples'>,
    index: number,
    turn: PlannedTurn,
    speaker: Record<string, unknown>,
    plan?: PlannedTurn[],
  ): Promise<{ row: Interaction; fresh: boolean }> {
    const row = await this.interactions.recordUtterance(
      networkId,
      {
        interaction_type: 'audio',
        person_id: turn.person_id,
        content: null,
        metadata: {
          speaker,
          audio: {
            captured_at: chunk.capturedAt.toISOString(),
            client_id: chunk.clientId,
            duration_seconds: Math.round((turn.end - turn.start) * 100) / 100,
            turn: { start: turn.start, end: turn.end, speaker_label: turn.speaker_label },
          },
          pipeline: { identified: true, ...(plan ? { turns: plan } : {}) },
        },
      },
      {
        occurredAt: new Date(chunk.alignedCapturedAt.getTime() + Math.round(turn.start * 1000)),
        speakerConfidence: turn.confidence,
        transcriptionStatus: 'pending',
        processingStatus: 'processing',
        sourceStreamId: chunk.streamId,
        sourceChunkId: chunk.chunkId,
        sourceTurn: index,
      },
    );
    if (row) return { row, fresh: true };
    const existing = await this.interactions.findBySourceChunk(networkId, chunk.chunkId, index);
    if (!existing) throw new Error('The interaction of this turn was recorded by another run and is gone');
    return { row: existing, fresh: false };
  }

  /** The turns a stopped run planned (on the first row) but did not record yet, as planned. */
  async recordRest(
    networkId: string,
    chunk: Omit<ChunkForProcessing, 'samples'>,
    existing: Interaction[],
  ): Promise<Interaction[]> {
    const plan = plannedTurns(existing[0]!);
    const rows = [...existing];
    for (let index = existing.length; index < plan.length; index++) {
      const turn = plan[index]!;
      const speaker = { decision: turn.decision, speaker_label: turn.speaker_label };
      rows.push((await this.recordTurn(networkId, chunk, index, turn, speaker)).row);
    }
    return rows;
  }
}
