/**
 * Best-microphone arbitration: pure functions, no Nest, no database (docs/streams.md).
 *
 * Times are milliseconds on the server's clock. A chunk's capture interval is "aligned" onto that clock with the
 * stream's estimated clock offset (see estimateClockOffset), so copies of one utterance heard by several devices
 * with skewed clocks land on (nearly) the same interval.
 */

/** Two chunks are copies of the same sound when they overlap by at least this fraction of the shorter one. */
export const COPY_OVERLAP_FRACTION = 0.5;

/** Weights of the stream score: the audio quality score plus the phones' location and RSSI components. */
export const SCORE_WEIGHTS = { audio: 0.7, location: 0.15, rssi: 0.15 } as const;

export interface PhoneSignals {
  /** Horizontal accuracy of the device's reported location in metres; null when the report had none. */
  locationAccuracyM?: number | null;
  /** Whether a (fresh) location report exists. */
  hasLocation: boolean;
  /** RSSI in dBm a phone measured to this device; null when none (or stale). */
  rssiDbm?: number | null;
}

/** The latest reports phones made about one device (either may be missing). */
export interface PhoneReports {
  accuracyM: number | null;
  locationAt: Date | null;
  rssiDbm: number | null;
  rssiAt: Date | null;
}

/** The signals that count at `nowMs`: a report older than `ttlMs` counts as none. */
export function freshSignals(reports: PhoneReports | null, nowMs: number, ttlMs: number): PhoneSignals {
  const hasLocation = !!reports?.locationAt && nowMs - reports.locationAt.getTime() <= ttlMs;
  const hasRssi = !!reports?.rssiAt && reports.rssiDbm !== null && nowMs - reports.rssiAt.getTime() <= ttlMs;
  return {
    hasLocation,
    locationAccuracyM: hasLocation ? (reports?.accuracyM ?? null) : null,
    rssiDbm: hasRssi ? (reports?.rssiDbm ?? null) : null,
  };
}

export interface ScoreBreakdown {
  score: number;
  audio_score: number;
  location_score: number;
  rssi_score: number;
}

/**
 * The location component: 100 without a location, else max(0, 100 - accuracy/10); a report without
 * accuracy counts as 100 m (90 points).
 */
export function locationScore(signals: PhoneSignals): number {
  if (!signals.hasLocation) return 100;
  const accuracy = signals.locationAccuracyM ?? 100;
  return clamp(100 - accuracy / 10, 0, 100);
}

/** The RSSI component: 100 without RSSI, else (clamp(rssi, -90, -30) + 90) / 60 * 100. */
export function rssiScore(signals: PhoneSignals): number {
  if (signals.rssiDbm === null || signals.rssiDbm === undefined) return 100;
  return ((clamp(signals.rssiDbm, -90, -30) + 90) / 60) * 100;
}

/**
 * The audio component (0–100) used to rank copies of one group: −10 dB → 0, 50 dB → 100, times the AudioModule's
 * clipping penalty (1 % clipped samples cost 25 %).
 */
export function copyAudioScore(snrDb: number, clippingRatio: number): number {
  const snrScore = Math.min(1, Math.max(0, (snrDb + 10) / 60)) * 100;
  return snrScore * Math.max(0, 1 - 25 * clippingRatio);
}

/** Stream score 0–100 = 0.70 audio + 0.15 location + 0.15 RSSI. A stream with no signals gets 0.70 audio + 30. */
export function streamScore(audioScore: number, signals: PhoneSignals): ScoreBreakdown {
  const audio = clamp(Number.isFinite(audioScore) ? audioScore : 0, 0, 100);
  const loc = locationScore(signals);
  const rssi = rssiScore(signals);
  const score = SCORE_WEIGHTS.audio * audio + SCORE_WEIGHTS.location * loc + SCORE_WEIGHTS.rssi * rssi;
  return {
    score: roundTo(score, 4),
    audio_score: roundTo(audio, 4),
    location_score: roundTo(loc, 4),
    rssi_score: roundTo(rssi, 4),
  };
}

/**
 * Per-stream clock offset (server clock minus device clock), from each chunk's
 * sample = received_at - (captured_at + duration). The estimate follows the minimum of the samples (the chunk that
 * arrived fastest shows the device's clock with the least network delay), and may rise by `driftPpm` of the time
 * since the previous chunk, so a device clock that drifts or a path that got slower is followed slowly while single
 * late uploads (retries, buffered backlog) do not move it.
 */
export function estimateClockOffset(
  previous: { offsetMs: number; atMs: number } | null,
  sampleMs: number,
  nowMs: number,
  driftPpm: number,
): number {
  if (previous === null || !Number.isFinite(previous.offsetMs)) return sampleMs;
  const elapsed = Math.max(0, nowMs - previous.atMs);
  const ceiling = previous.offsetMs + (elapsed * driftPpm) / 1_000_000;
  return Math.min(sampleMs, ceiling);
}

export interface Interval {
  startMs: number;
  endMs: number;
}

/** Overlap of two intervals as a fraction of the shorter one (0 when disjoint). */
export function overlapFraction(a: Interval, b: Interval): number {
  const overlap = Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs);
  const shorter = Math.min(a.endMs - a.startMs, b.endMs - b.startMs);
  if (overlap <= 0 || shorter <= 0) return 0;
  return overlap / shorter;
}

export interface ChunkRef extends Interval {
  chunkId: string;
  streamRowId: string;
  streamId: string;
}

export interface GroupResult<T extends ChunkRef> {
  /** The copies of the trigger's sound still to be decided (trigger included, at most one per stream). */
  members: T[];
  /** Copies that arrived after a copy of the same sound from another stream was already forwarded. */
  lateCopies: T[];
}

/**
 * The copies of the trigger chunk's sound: pending chunks of other streams overlapping it by at least
 * COPY_OVERLAP_FRACTION (the best-overlapping one per stream). A copy overlapping a chunk already forwarded from a
 * different stream is a late copy: it lost before it arrived.
 */
export function formGroup<T extends ChunkRef>(
  trigger: T,
  pending: T[],
  forwarded: ChunkRef[],
): GroupResult<T> {
  const byStream = new Map<string, { chunk: T; overlap: number }>();
  byStream.set(trigger.streamRowId, { chunk: trigger, overlap: 1 });
  for (const chunk of pending) {
    if (chunk.chunkId === trigger.chunkId || chunk.streamRowId === trigger.streamRowId) continue;
    const overlap = overlapFraction(trigger, chunk);
    if (overlap < COPY_OVERLAP_FRACTION) continue;
    const current = byStream.get(chunk.streamRowId);
    if (
      !current ||
      overlap > current.overlap ||
      (overlap === current.overlap && chunk.startMs < current.chunk.startMs)
    ) {
      byStream.set(chunk.streamRowId, { chunk, overlap });
    }
  }
  const members: T[] = [];
  const lateCopies: T[] = [];
  for (const { chunk } of byStream.values()) {
    const late = forwarded.some(
      (f) => f.streamRowId !== chunk.streamRowId && overlapFraction(f, chunk) >= COPY_OVERLAP_FRACTION,
    );
    (late ? lateCopies : members).push(chunk);
  }
  const order = (a: T, b: T) => a.startMs - b.startMs || compareText(a.chunkId, b.chunkId);
  return { members: members.sort(order), lateCopies: lateCopies.sort(order) };
}

export interface Candidate extends ChunkRef {
  /** The stream score used for the comparison (0–100). */
  score: number;
  snrDb: number;
  speechRatio: number;
}

export interface FloorState {
  holderStreamRowId: string | null;
  /** Aligned end of the last forwarded chunk. */
  lastUntilMs: number | null;
}

export interface ArbitrationOptions {
  hysteresisMargin: number;
  floorHoldMs: number;
  inactiveAfterMs: number;
  minSpeechRatio: number;
  nowMs: number;
}

export type DecisionReason = 'sole' | 'best' | 'hysteresis' | 'no_speech';

export interface Decision<T extends Candidate> {
  winner: T | null;
  reason: DecisionReason;
  /** Eligible candidates, best first (the deterministic order of `compareCandidates`). */
  ranking: T[];
  /** True when the floor holder had a copy in the group and the talk was still going on. */
  hysteresisApplied: boolean;
  /** True when the winner's stream differs from the previous floor holder. */
  floorSwitch: boolean;
}

/** Whether the floor holder's talk is still going on when a group starting at `groupStartMs` is decided. */
export function talkContinues(floor: FloorState, groupStartMs: number, opts: ArbitrationOptions): boolean {
  if (floor.holderStreamRowId === null || floor.lastUntilMs === null) return false;
  if (opts.nowMs - floor.lastUntilMs > opts.inactiveAfterMs) return false;
  return groupStartMs - floor.lastUntilMs <= opts.floorHoldMs;
}

/**
 * Deterministic order: higher score; then the floor holder; then higher SNR; then the earlier start; then the
 * stream id and chunk id (so equal copies always resolve the same way, on every instance).
 */
export function compareCandidates(a: Candidate, b: Candidate, holderStreamRowId: string | null): number {
  if (a.score !== b.score) return b.score - a.score;
  const aHolds = a.streamRowId === holderStreamRowId;
  const bHolds = b.streamRowId === holderStreamRowId;
  if (aHolds !== bHolds) return aHolds ? -1 : 1;
  if (a.snrDb !== b.snrDb) return b.snrDb - a.snrDb;
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  return compareText(a.streamId, b.streamId) || compareText(a.chunkId, b.chunkId);
}

/**
 * The copy whose speech stands for its whole sound: the best-ranked of all its copies (decide's order, eligibility
 * aside). Copies of one sound hear the same words, so the VAD runs on this copy alone and decide takes its speech
 * ratio for every copy (`soundSpeechRatio`): a sound whose best copy has too little speech forwards nothing. Given
 * every copy the speech ratio of this one, `npm run eval:arbitration:offline` decided as with one VAD pass per copy in
 * every scene (BENCHMARKS.md, Streams, finding 11).
 */
export function copyToJudge<T extends Candidate>(members: T[], floor: FloorState): T | undefined {
  return [...members].sort((a, b) => compareCandidates(a, b, floor.holderStreamRowId))[0];
}

/**
 * Picks the copy to forward. Copies without enough speech are not eligible; with none eligible nothing is
 * forwarded. Speech is each copy's own `speechRatio`, or, given `soundSpeechRatio` (the VAD's judgement of the
 * sound's best copy, copyToJudge), that of the sound for every copy. While the holder's talk continues (gap <=
 * floorHoldMs) the holder keeps the floor unless the best challenger beats its score by more than hysteresisMargin.
 */
export function decide<T extends Candidate>(
  members: T[],
  floor: FloorState,
  opts: ArbitrationOptions,
  soundSpeechRatio?: number,
): Decision<T> {
  const eligible = members.filter((m) => (soundSpeechRatio ?? m.speechRatio) >= opts.minSpeechRatio);
  const holder = floor.holderStreamRowId;
  const ranking = [...eligible].sort((a, b) => compareCandidates(a, b, holder));
  const best = ranking[0];
  if (!best) {
    return { winner: null, reason: 'no_speech', ranking, hysteresisApplied: false, floorSwitch: false };
  }
  const groupStart = Math.min(...members.map((m) => m.startMs));
  const continuing = talkContinues(floor, groupStart, opts);
  const holderCopy = continuing ? ranking.find((m) => m.streamRowId === holder) : undefined;
  let winner = best;
  let reason: DecisionReason = ranking.length === 1 ? 'sole' : 'best';
  if (holderCopy && holderCopy !== best && best.score - holderCopy.score <= opts.hysteresisMargin) {
    winner = holderCopy;
    reason = 'hysteresis';
  }
  return {
    winner,
    reason,
    ranking,
    hysteresisApplied: holderCopy !== undefined,
    floorSwitch: winner.streamRowId !== holder,
  };
}

/** The floor after a decision: the winner's stream holds it until the end of its chunk. */
export function nextFloor(floor: FloorState, winner: Candidate | null): FloorState {
  if (!winner) return floor;
  const sameHolder = winner.streamRowId === floor.holderStreamRowId;
  return {
    holderStreamRowId: winner.streamRowId,
    lastUntilMs: sameHolder ? Math.max(floor.lastUntilMs ?? winner.endMs, winner.endMs) : winner.endMs,
  };
}

/** Whether a stream counts as active: it sent a chunk within `inactiveAfterMs`. */
export function isStreamActive(
  lastReceivedMs: number | null,
  nowMs: number,
  inactiveAfterMs: number,
): boolean {
  return lastReceivedMs !== null && nowMs - lastReceivedMs <= inactiveAfterMs;
}

/** The policy's view of a stored floor row. */
export function floorStateOf(row: { holderStreamRowId: string | null; lastUntil: Date | null }): FloorState {
  return { holderStreamRowId: row.holderStreamRowId, lastUntilMs: row.lastUntil?.getTime() ?? null };
}

/** Whether the floor is currently held: the holder forwarded audio recently. */
export function floorIsHeld(floor: FloorState, nowMs: number, inactiveAfterMs: number): boolean {
  return floor.holderStreamRowId !== null && isStreamActive(floor.lastUntilMs, nowMs, inactiveAfterMs);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `value` rounded to `digits` decimals (scores to 4, logged figures to 2). */
export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
