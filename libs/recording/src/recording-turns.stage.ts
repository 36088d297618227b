import { Injectable } from '@nestjs/common';
import { Transcriber, TranscriptionUnavailableError, type TranscriptionResult } from '@mira/assistant';
import { AudioService, concatSamples, SAMPLE_RATE } from '@mira/audio';
import { AppLogger } from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { type Interaction, InteractionService } from '@mira/interaction';
import {
  type Identification,
  SpeakerIdentificationService,
  VoiceGatheringService,
  VoiceprintService,
} from '@mira/recognition';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import type { StageProgress } from './recording-decode.stage.js';
import { readPcmRange } from './recording-pcm.js';
import { RecordingRepository } from './recording.repository.js';
import { voiceSample } from './voice-sample.js';
import {
  GATHER_TURNS_PER_VOICE,
  type Recording,
  type RecordingSegment,
  type RecordingVoice,
} from './recording.types.js';

/**
 * Stage `identify`: each voice judged once by the speaker policy (recognition's SpeakerIdentificationService) on its
 * longest turns, the recording's conversation made, then each turn in order: its interaction (one per turn, unique
 * in the database), its text, and the turn marked done. A voice that is clearly nobody enrolled is not made a person
 * from one judgement: its turns are gathered one by one like utterances of a chunk (VoiceGatheringService), and the
 * voice becomes one new person only once enough of it is kept — never an enrolled person's voice. A resumed run skips
 * the voices and turns already done.
 */
@Injectable()
export class RecordingTurnsStage {
  constructor(
    private readonly audio: AudioService,
    private readonly parts: RecordingAudioRepository,
    private readonly recordings: RecordingRepository,
    private readonly identification: SpeakerIdentificationService,
    private readonly voiceprints: VoiceprintService,
    private readonly gathering: VoiceGatheringService,
    private readonly conversations: ConversationService,
    private readonly interactions: InteractionService,
    private readonly transcriber: Transcriber,
    private readonly logger: AppLogger,
  ) {}

  async run(recording: Recording, progress: StageProgress, finalAttempt: boolean): Promise<Interaction[]> {
    const { networkId, id } = recording;
    const segments = await this.recordings.segmentsOf(networkId, id);
    const fresh = await this.identifyVoices(recording, segments);
    if (!recording.conversationId) await this.openConversation(recording);
    const made: Interaction[] = [];
    let done = segments.filter((s) => s.status === 'done').length;
    for (const segment of segments) {
      if (segment.status === 'done') continue;
      const voice = recording.speakers.find((v) => v.label === segment.speakerLabel);
      made.push(await this.turn(recording, segment, voice, fresh.get(segment.speakerLabel), finalAttempt));
      done += 1;
      await progress(done / segments.length);
    }
    return made;
  }

  /**
   * Voices not judged yet are judged now and kept on the recording at once; a voice's fresh judgement (with its
   * embedding) is returned so its first turn can refine the person's voiceprint, as an utterance would.
   */
  private async identifyVoices(
    recording: Recording,
    segments: RecordingSegment[],
  ): Promise<Map<string, Identification>> {
    const fresh = new Map<string, Identification>();
    const { networkId, id } = recording;
    for (const voice of recording.speakers) {
      if (voice.decision !== 'pending') continue;
      const turns = segments
        .filter((s) => s.speakerLabel === voice.label)
        .map((s) => ({ start: s.startMs / 1000, end: s.endMs / 1000 }));
      const pieces: Float32Array[] = [];
      for (const t of voiceSample(turns)) pieces.push(await this.turnAudio(recording, t.start, t.end));
      const speech = concatSamples(pieces);
      const identification = await this.identification.identify(
        networkId,
        speech,
        speech.length / SAMPLE_RATE,
        recording.diarization.snrDb ?? null,
      );
      const decision = identification.decision;
      const personId = decision.kind === 'match' ? decision.personId : null;
      Object.assign(voice, {
        personId,
        decision: decision.kind,
        confidence: decision.kind === 'match' ? decision.similarity : null,
        gathering: identification.gatherable,
        gatheredTurns: 0,
      } satisfies Partial<RecordingVoice>);
      await this.recordings.update(networkId, id, { speakers: recording.speakers });
      fresh.set(voice.label, identification);
      this.logger.info('recording_voice_identified', {
        network_id: networkId,
        recording_id: id,
        speaker_label: voice.label,
        decision: decision.kind,
        person_id: personId,
      });
    }
    return fresh;
  }

  private async openConversation(recording: Recording): Promise<void> {
    const startedAt = recording.recordedAt;
    const endedAt = new Date(startedAt.getTime() + (recording.durationMs ?? 0));
    const title = typeof recording.metadata['title'] === 'string' ? recording.metadata['title'] : null;
    const participants = [
      ...new Set(recording.speakers.map((v) => v.personId).filter((p): p is string => !!p)),
    ];
    const created = await this.conversations.create(recording.networkId, {
      title,
      participants,
      startedAt,
      endedAt,
    });
    recording.conversationId = created.conversation.id;
    await this.recordings.update(recording.networkId, recording.id, {
      conversationId: recording.conversationId,
    });
  }

  private async turn(
    recording: Recording,
    segment: RecordingSegment,
    voice: RecordingVoice | undefined,
    identification: Identification | undefined,
    finalAttempt: boolean,
  ): Promise<Interaction> {
    const { networkId, id } = recording;
    const start = segment.startMs / 1000;
    const end = segment.endMs / 1000;
    const personId = voice?.personId ?? null;
    let interaction = await this.interactions.findBySourceRecording(networkId, id, segment.index);
    if (!interaction) {
      const recorded = await this.interactions.recordUtterance(
        networkId,
        {
          interaction_type: 'audio',
          person_id: personId,
          conversation_id: recording.conversationId,
          content: null,
          metadata: {
            recording: {
              recording_id: id,
              turn: segment.index,
              start,
              end,
              speaker_label: segment.speakerLabel,
            },
            speaker: { decision: voice?.decision ?? 'unknown', source: 'recording_voice' },
          },
        },
        {
          occurredAt: new Date(recording.recordedAt.getTime() + segment.startMs),
          speakerConfidence: voice?.confidence ?? null,
          transcriptionStatus: 'pending',
          processingStatus: 'processing',
          sourceRecordingId: id,
          sourceTurn: segment.index,
        },
      );
      interaction = recorded ?? (await this.interactions.findBySourceRecording(networkId, id, segment.index));
      if (!interaction)
        throw new Error('The interaction of this turn was recorded by another run and is gone');
      const d = identification?.decision;
      if (personId && d?.kind === 'match' && d.refine) {
        await this.voiceprints.addAutoSample(networkId, personId, identification!, interaction.id);
      }
      if (recorded && voice?.gathering && !voice.personId) {
        interaction = await this.gatherTurn(recording, voice, interaction, start, end);
      }
    }
    if (interaction.processingStatus !== 'done') {
      const audio = await this.turnAudio(recording, start, end);
      const text = await this.transcribe(audio, finalAttempt);
      interaction = await this.interactions.applySystemChanges(networkId, interaction.id, {
        content: text.status === 'transcribed' ? text.text : null,
        transcriptionStatus: text.status,
        processingStatus: 'done',
        metadata: {
          ...interaction.metadata,
          transcription:
            text.status === 'transcribed'
              ? { engine: text.engine }
              : { engine: text.engine, reason: text.reason },
        },
      });
    }
    await this.recordings.completeSegment(networkId, id, segment.index, {
      personId: interaction.personId,
      text: interaction.content,
      transcriptionStatus: interaction.transcriptionStatus,
      confidence: voice?.confidence ?? null,
      interactionId: interaction.id,
    });
    return interaction;
  }

  /**
   * One turn of an unknown voice offered to gathering, judged on its own like an utterance. When the voice has gathered
   * enough it becomes a new person: this turn, the voice's earlier turns and its later ones are that person's.
   */
  private async gatherTurn(
    recording: Recording,
    voice: RecordingVoice,
    interaction: Interaction,
    start: number,
    end: number,
  ): Promise<Interaction> {
    const { networkId, id } = recording;
    if ((voice.gatheredTurns ?? 0) >= GATHER_TURNS_PER_VOICE) return interaction;
    voice.gatheredTurns = (voice.gatheredTurns ?? 0) + 1;
    await this.recordings.update(networkId, id, { speakers: recording.speakers });
    const audio = await this.turnAudio(recording, start, end);
    const seconds = audio.length / SAMPLE_RATE;
    const turn = await this.identification.identify(
      networkId,
      audio,
      seconds,
      recording.diarization.snrDb ?? null,
    );
    const personId = await this.gathering.gather(networkId, turn, interaction.id);
    if (!personId) return interaction;
    Object.assign(voice, {
      personId,
      decision: 'new_person',
      gathering: false,
    } satisfies Partial<RecordingVoice>);
    await this.recordings.update(networkId, id, { speakers: recording.speakers });
    for (const earlier of await this.recordings.nameVoice(networkId, id, voice.label, personId)) {
      await this.interactions.applySystemChanges(networkId, earlier, { personId });
    }
    this.logger.info('recording_voice_gathered', {
      network_id: networkId,
      recording_id: id,
      speaker_label: voice.label,
      person_id: personId,
    });
    return this.interactions.applySystemChanges(networkId, interaction.id, {
      personId,
      metadata: { ...interaction.metadata, speaker: { decision: 'new_person', source: 'recording_voice' } },
    });
  }

  /** A stretch of the recording as the turns are heard: denoised when the recording was judged noisy. */
  private async turnAudio(recording: Recording, start: number, end: number): Promise<Float32Array> {
    const samples = await readPcmRange(this.parts, recording.networkId, recording.id, start, end);
    return recording.diarization.denoised ? this.audio.denoise(samples) : samples;
  }

  private async transcribe(audio: Float32Array, finalAttempt: boolean): Promise<TranscriptionResult> {
    try {
      return await this.transcriber.transcribe(audio, SAMPLE_RATE, { finalAttempt });
    } catch (err) {
      if (err instanceof TranscriptionUnavailableError && finalAttempt) {
        return { status: 'untranscribed', engine: 'none', reason: `${err.engine}_unavailable` };
      }
      throw err; // the job is retried with backoff and resumes at this turn
    }
  }
}
