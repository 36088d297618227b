/** One stretch of speech by one speaker, in seconds from the start of the audio. */
export interface SpeakerTurn {
  start: number;
  end: number;
  /** `S1`, `S2`, … in order of first appearance; labels are local to one diarization. */
  speaker: string;
}

/** One voice found in the audio: who it is is decided elsewhere (recognition's policy) from its centroid. */
export interface DiarizedSpeaker {
  label: string;
  /** Seconds of speech attributed to this voice. */
  speechSeconds: number;
  /** L2-normalised mean of this voice's window embeddings (model `modelId`). */
  centroid: Float32Array;
}

export interface Diarization {
  turns: SpeakerTurn[];
  speakers: DiarizedSpeaker[];
  modelId: string;
  /** Whether the audio went through noise reduction before VAD and embedding. */
  denoised: boolean;
  /** Windows embedded (the cost driver). */
  windows: number;
}

export interface DiarizationOptions {
  /** Length of the sliding embedding windows (seconds). */
  windowSeconds: number;
  /** Hop between windows (seconds). */
  stepSeconds: number;
  /**
   * Neighbouring windows whose cosine to the running segment stays at or above this belong to one segment (no speaker
   * change); a drop below marks a change point.
   */
  changeThreshold: number;
  /** Segments keep merging into one voice while the closest pair of voices has at least this cosine. */
  mergeThreshold: number;
  /**
   * How windows become voices. `agglomerative`: change-point segments merged while the closest pair's cosine is at
   * least mergeThreshold. `spectral`: the number of voices picked per recording by the largest jump in the
   * eigenvalues of the windows' nearest-neighbour graph (NME-SC, spectral.ts), so no fixed cosine decides how many
   * voices there are; with fewer than SPECTRAL_MIN_UNITS units (a short clip) it is agglomerative.
   */
  clustering: 'agglomerative' | 'spectral';
  /** Spectral: what is clustered, every window or the change-point segments' means. */
  spectralOn: 'windows' | 'segments';
  /** Spectral: most voices one recording may have. */
  maxSpeakers: number;
  /**
   * Spectral: voices whose centroids' cosine is at least this are joined afterwards (one voice the graph cut in two);
   * above 1, never.
   */
  spectralJoinThreshold: number;
  /**
   * Speech the VAD found more than this many dB under the loud end of the stretch's speech is left out (background
   * voices heard in the pauses, foreground-gate.ts); 0 keeps all of it.
   */
  foregroundGateDb: number;
  /** A voice with less speech than this is folded into the nearest other voice (noise, coughs, cross-talk). */
  minSpeakerSeconds: number;
  /**
   * A voice with less than this share of all the speech is folded too: over a long recording a fixed number of
   * seconds is nothing, and stray windows (noise, overlap) gather into small voices of their own.
   */
  minSpeakerShare: number;
  /**
   * What the windows of denoised audio are embedded from: the denoised audio, or the audio as heard (the VAD still
   * reads the denoised one). Noise reduction removes noise and some of what tells voices apart.
   */
  embedOn: 'denoised' | 'heard';
  /** Longest segment before a forced split (bounds what one missed change point can mislabel). */
  maxSegmentSeconds: number;
  /** Same-speaker turns separated by a pause shorter than this are one turn. */
  joinPauseSeconds: number;
  /** `auto`: reduce noise first when the audio's blind SNR is below noisySnrDb; `always`; `never`. */
  denoise: 'auto' | 'always' | 'never';
  noisySnrDb: number;
  /**
   * What changes for audio that was denoised: embeddings of noisy speech are less reliable per second and noise pulls
   * every voice's embedding the same way (cosines between different voices rise), so longer windows and a higher
   * merge threshold.
   */
  noisy: Pick<
    DiarizationOptions,
    | 'windowSeconds'
    | 'stepSeconds'
    | 'changeThreshold'
    | 'mergeThreshold'
    | 'embedOn'
    | 'clustering'
    | 'spectralOn'
    | 'spectralJoinThreshold'
    | 'foregroundGateDb'
    | 'minSpeakerSeconds'
  >;
}

/**
 * What the expensive half of diarization found in one stretch of audio (analyseSpeech): speech regions, the
 * sliding windows over them and one embedding per window. Times in seconds from the start of the whole audio.
 */
export interface SpeechAnalysis {
  regions: Array<{ start: number; end: number }>;
  windows: Array<{ start: number; end: number }>;
  /** L2-normalised, one per window. */
  vectors: Float32Array[];
}
