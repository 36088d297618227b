/** What the client sees of a recording's life. */
export type RecordingStatus = 'receiving' | 'queued' | 'processing' | 'done' | 'failed' | 'cancelled';

/**
 * Where processing resumes after a crash: the uploaded bytes are decoded to 16 kHz parts, each part's speech is
 * analysed (windows and their embeddings), the whole is diarized into numbered turns, and each turn is identified and
 * transcribed into an interaction.
 */
export type RecordingStage = 'decode' | 'analyse' | 'diarize' | 'identify' | 'done';

/**
 * An unknown voice of a recording offers at most this many of its turns to gathering (each is embedded once more and
 * kept up to 30 days as unattributed speech): enough to make the new person when the voice is coherent, bounded when
 * it never is.
 */
export const GATHER_TURNS_PER_VOICE = 8;

/** One voice found in a recording and who the speaker policy said it is (made once, kept for resumed runs). */
export interface RecordingVoice {
  label: string;
  speechSeconds: number;
  personId: string | null;
  /** The policy's decision: match, unknown, or new_person once the voice was gathered into a new person. */
  decision: string;
  confidence: number | null;
  /**
   * Clearly nobody enrolled (the policy's `gatherable`): its turns are gathered one by one, like utterances, until
   * enough of the voice makes one new person (VoiceGatheringService).
   */
  gathering?: boolean;
  /** Turns of this voice offered to gathering so far (at most GATHER_TURNS_PER_VOICE). */
  gatheredTurns?: number;
}

/** How the recording was diarized (for the reader: why a noisy recording was denoised first). */
export interface RecordingDiarization {
  modelId?: string;
  denoised?: boolean;
  snrDb?: number | null;
  windows?: number;
}

/** One upload of a long recording (POST /recordings). */
export interface Recording {
  id: string;
  networkId: string;
  status: RecordingStatus;
  stage: RecordingStage;
  /** The job that processes it (GET /tasks/{task_id}). */
  taskId: string | null;
  /** Who uploaded it: `user:<id>` or `client:<client_id>`. */
  uploadedBy: string;
  filename: string | null;
  contentType: string | null;
  /** The container the bytes turned out to be (wav, flac, mp3, ogg, webm, pcm16). */
  format: string | null;
  sourceBytes: number;
  /** Known once decoded. */
  durationMs: number | null;
  /** When its first sample was heard (the client's recorded_at, else when the upload arrived). */
  recordedAt: Date;
  /** The conversation its turns were grouped into. */
  conversationId: string | null;
  speakers: RecordingVoice[];
  diarization: RecordingDiarization;
  metadata: Record<string, unknown>;
  errorCode: string | null;
  error: string | null;
  processedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One turn of a recording: who spoke when, and what they said. */
export interface RecordingSegment {
  networkId: string;
  recordingId: string;
  index: number;
  startMs: number;
  endMs: number;
  /** The voice's label within this recording (S1, S2, …). */
  speakerLabel: string;
  personId: string | null;
  text: string | null;
  transcriptionStatus: string | null;
  /** The speaker decision's similarity when the voice was matched to a person, else null. */
  confidence: number | null;
  interactionId: string | null;
  status: 'pending' | 'done';
}
