import {
  copyAudioScore,
  ArbitrationOptions,
  Candidate,
  compareCandidates,
  copyToJudge,
  decide,
  estimateClockOffset,
  floorIsHeld,
  formGroup,
  freshSignals,
  nextFloor,
  overlapFraction,
  streamScore,
  talkContinues,
} from './arbitration.policy.js';
import { parseChunkFields, assertStreamId } from './chunk-input.js';

const opts = (over: Partial<ArbitrationOptions> = {}): ArbitrationOptions => ({
  hysteresisMargin: 5,
  floorHoldMs: 1500,
  inactiveAfterMs: 15_000,
  minSpeechRatio: 0.05,
  nowMs: 100_000,
  ...over,
});

let n = 0;
const cand = (stream: string, score: number, over: Partial<Candidate> = {}): Candidate => ({
  chunkId: `c-${stream}-${++n}`,
  streamRowId: `row-${stream}`,
  streamId: stream,
  startMs: 90_000,
  endMs: 92_000,
  score,
  snrDb: 10,
  speechRatio: 0.5,
  ...over,
});

describe('stream score (audio plus phone location/RSSI components)', () => {
  it('a stream without phone signals scores 0.7·audio + 30 (both phone components at 100)', () => {
    expect(streamScore(0, { hasLocation: false }).score).toBe(30);
    expect(streamScore(80, { hasLocation: false }).score).toBe(86);
  });

  it('location accuracy and RSSI lower the score: 100 − accuracy/10 and RSSI mapped from −90..−30 dBm to 0..100', () => {
    const withLocation = streamScore(80, { hasLocation: true, locationAccuracyM: 50 });
    expect(withLocation.location_score).toBe(95);
    expect(streamScore(80, { hasLocation: true, locationAccuracyM: null }).location_score).toBe(90);
    const weak = streamScore(80, { hasLocation: false, rssiDbm: -90 });
    const strong = streamScore(80, { hasLocation: false, rssiDbm: -30 });
    expect(weak.rssi_score).toBe(0);
    expect(strong.rssi_score).toBe(100);
    expect(streamScore(80, { hasLocation: false, rssiDbm: -60 }).rssi_score).toBe(50);
    expect(weak.score).toBeLessThan(strong.score);
  });
});

describe('audio score of a copy ranked across copies', () => {
  it('maps the cross-copy SNR to 0–100 with the clipping penalty', () => {
    expect(copyAudioScore(-10, 0)).toBe(0);
    expect(copyAudioScore(50, 0)).toBe(100);
    expect(copyAudioScore(20, 0.02)).toBeCloseTo(25, 5);
  });
});

describe('phone signals count while fresh', () => {
  const at = (ms: number) => new Date(ms);
  const reports = { accuracyM: 30, locationAt: at(10_000), rssiDbm: -50, rssiAt: at(20_000) };

  it('keeps reports no older than the TTL and drops each one on its own once it is older', () => {
    expect(freshSignals(reports, 25_000, 15_000)).toEqual({
      hasLocation: true,
      locationAccuracyM: 30,
      rssiDbm: -50,
    });
    expect(freshSignals(reports, 25_001, 15_000)).toEqual({
      hasLocation: false,
      locationAccuracyM: null,
      rssiDbm: -50,
    });
    expect(freshSignals(reports, 35_001, 15_000)).toEqual({
      hasLocation: false,
      locationAccuracyM: null,
      rssiDbm: null,
    });
  });

  it('a device nobody reported on has no signals', () => {
    expect(freshSignals(null, 0, 15_000)).toEqual({
      hasLocation: false,
      locationAccuracyM: null,
      rssiDbm: null,
    });
    expect(freshSignals({ ...reports, rssiDbm: null }, 20_000, 15_000).rssiDbm).toBeNull();
  });
});

describe('clock alignment across devices with skewed clocks', () => {
  it('takes the first sample, then follows the minimum (fastest delivery) and rises only by the drift allowance', () => {
    let offset = estimateClockOffset(null, 5_300, 0, 1000);
    expect(offset).toBe(5_300);
    offset = estimateClockOffset({ offsetMs: offset, atMs: 0 }, 5_100, 1_000, 1000);
    expect(offset).toBe(5_100);
    // A late upload (retry, backlog) does not move it beyond 1000 ppm of the elapsed 2 s.
    offset = estimateClockOffset({ offsetMs: offset, atMs: 1_000 }, 9_000, 3_000, 1000);
    expect(offset).toBe(5_102);
  });
});

describe('grouping copies of the same utterance', () => {
  const chunk = (id: string, stream: string, startMs: number, endMs: number) => ({
    chunkId: id,
    streamRowId: stream,
    streamId: stream,
    startMs,
    endMs,
  });

  it('overlap is measured against the shorter chunk', () => {
    expect(overlapFraction({ startMs: 0, endMs: 1000 }, { startMs: 500, endMs: 3000 })).toBe(0.5);
    expect(overlapFraction({ startMs: 0, endMs: 1000 }, { startMs: 1000, endMs: 2000 })).toBe(0);
  });

  it('groups copies from other streams that overlap by ≥ 50 %, one per stream, and leaves the next utterance out', () => {
    const t = chunk('t', 'a', 1000, 3000);
    const copyB = chunk('b', 'b', 1150, 3100);
    const laterB = chunk('b2', 'b', 2900, 5000);
    const copyC = chunk('c', 'c', 900, 2950);
    const nextUtterance = chunk('d', 'd', 3500, 5000);
    const group = formGroup(t, [t, copyB, laterB, copyC, nextUtterance], []);
    expect(group.members.map((m) => m.chunkId).sort()).toEqual(['b', 'c', 't']);
    expect(group.lateCopies).toEqual([]);
  });

  it('a copy of a sound already forwarded from another stream is a late copy, never a second utterance', () => {
    const late = chunk('late', 'b', 1100, 3050);
    const group = formGroup(late, [late], [chunk('won', 'a', 1000, 3000)]);
    expect(group.members).toEqual([]);
    expect(group.lateCopies.map((c) => c.chunkId)).toEqual(['late']);
    // The same stream's own previous forwarded chunk does not make it late.
    expect(formGroup(late, [late], [chunk('own', 'b', 0, 1100)]).members).toHaveLength(1);
  });
});

describe('decision: best copy, hysteresis, inactivity, ties', () => {
  const noFloor = { holderStreamRowId: null, lastUntilMs: null };

  it('picks the highest score when nobody holds the floor', () => {
    const d = decide([cand('a', 60), cand('b', 70), cand('c', 65)], noFloor, opts());
    expect(d.winner?.streamId).toBe('b');
    expect(d.reason).toBe('best');
    expect(d.floorSwitch).toBe(true);
  });

  it('a single copy wins alone; no copy with speech forwards nothing', () => {
    expect(decide([cand('a', 50)], noFloor, opts()).reason).toBe('sole');
    const silent = decide(
      [cand('a', 0, { speechRatio: 0 }), cand('b', 0, { speechRatio: 0.01 })],
      noFloor,
      opts(),
    );
    expect(silent.winner).toBeNull();
    expect(silent.reason).toBe('no_speech');
  });

  it("speech is judged once per sound: the best-ranked copy's, every copy takes it, eligibility aside", () => {
    const floor = { holderStreamRowId: 'row-a', lastUntilMs: 89_500 };
    // the best-ranked copy, whatever its own (estimated) speech ratio, and the holder first among equal scores
    const a = cand('a', 70, { speechRatio: 0 });
    const b = cand('b', 70, { speechRatio: 0.9, snrDb: 30 });
    const c = cand('c', 50, { speechRatio: 0.9 });
    expect(copyToJudge([c, b, a], floor)).toBe(a);
    expect(copyToJudge([c, b, a], noFloor)).toBe(b);
    expect(copyToJudge([], noFloor)).toBeUndefined();
    // the sound's speech for every copy: a copy whose own figure was 0 is eligible, and below the line none is
    const spoken = decide([a, c], noFloor, opts(), 0.4);
    expect(spoken.winner).toBe(a);
    expect(spoken.ranking).toEqual([a, c]);
    const silent = decide([b, c], noFloor, opts(), 0.01);
    expect(silent.winner).toBeNull();
    expect(silent.reason).toBe('no_speech');
    // without the sound's figure each copy's own counts
    expect(decide([a, c], noFloor, opts()).winner).toBe(c);
  });

  it('hysteresis: the holder keeps the floor during continued talk unless beaten by more than the margin', () => {
    const floor = { holderStreamRowId: 'row-a', lastUntilMs: 89_500 };
    const kept = decide([cand('a', 60), cand('b', 64)], floor, opts());
    expect(kept.winner?.streamId).toBe('a');
    expect(kept.reason).toBe('hysteresis');
    expect(kept.hysteresisApplied).toBe(true);
    const beaten = decide([cand('a', 60), cand('b', 66)], floor, opts());
    expect(beaten.winner?.streamId).toBe('b');
    expect(beaten.floorSwitch).toBe(true);
  });

  it('after a pause longer than the hold time the talk is new and the best copy wins outright', () => {
    const floor = { holderStreamRowId: 'row-a', lastUntilMs: 80_000 };
    expect(talkContinues(floor, 90_000, opts())).toBe(false);
    expect(decide([cand('a', 60), cand('b', 62)], floor, opts()).winner?.streamId).toBe('b');
  });

  it('an inactive holder (nothing forwarded within the timeout) no longer holds the floor', () => {
    const floor = { holderStreamRowId: 'row-a', lastUntilMs: 89_500 };
    expect(floorIsHeld(floor, 100_000, 15_000)).toBe(true);
    expect(floorIsHeld(floor, 110_000, 15_000)).toBe(false);
    expect(talkContinues(floor, 90_000, opts({ nowMs: 110_000 }))).toBe(false);
  });

  it('ties resolve deterministically: holder, then SNR, then earlier start, then stream id', () => {
    const a = cand('a', 70, { snrDb: 10 });
    const b = cand('b', 70, { snrDb: 12 });
    expect(decide([a, b], noFloor, opts()).winner?.streamId).toBe('b');
    expect(decide([b, a], noFloor, opts()).winner?.streamId).toBe('b');
    const c = cand('c', 70, { snrDb: 10, startMs: 89_990 });
    const d = cand('d', 70, { snrDb: 10 });
    expect(compareCandidates(c, d, null)).toBeLessThan(0);
    const e = cand('e', 70, { snrDb: 10 });
    expect(compareCandidates(d, e, null)).toBeLessThan(0);
    expect(compareCandidates(e, d, 'row-e')).toBeLessThan(0);
  });

  it('the floor moves to the winner and extends to the end of its chunk', () => {
    const winner = cand('b', 70, { endMs: 95_000 });
    expect(nextFloor({ holderStreamRowId: 'row-a', lastUntilMs: 96_000 }, winner)).toEqual({
      holderStreamRowId: 'row-b',
      lastUntilMs: 95_000,
    });
    expect(nextFloor({ holderStreamRowId: 'row-b', lastUntilMs: 96_000 }, winner).lastUntilMs).toBe(96_000);
    expect(nextFloor(noFloor, null)).toBe(noFloor);
  });
});

describe('chunk fields validation', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('accepts ISO 8601 (zone or naive UTC) and epoch milliseconds', () => {
    expect(
      parseChunkFields({ timestamp: '2026-01-01T11:59:58.500Z' }, undefined, now).capturedAt.getTime(),
    ).toBe(now - 1500);
    expect(
      parseChunkFields({ timestamp: '2026-01-01T13:59:58+02:00' }, undefined, now).capturedAt.getTime(),
    ).toBe(now - 2000);
    expect(parseChunkFields({ timestamp: '2026-01-01T11:59:59' }, undefined, now).capturedAt.getTime()).toBe(
      now - 1000,
    );
    expect(parseChunkFields({ timestamp: String(now - 10) }, undefined, now).capturedAt.getTime()).toBe(
      now - 10,
    );
  });

  it('names every bad field in one 422', () => {
    try {
      parseChunkFields({ timestamp: 'yesterday', metadata: '{bad', seq: '-1' }, 'has space', now);
      throw new Error('expected a validation error');
    } catch (err) {
      const e = err as { status: number; extra: { fields: { field: string }[] } };
      expect(e.status).toBe(422);
      expect(e.extra.fields.map((f) => f.field)).toEqual(['timestamp', 'metadata', 'seq', 'Idempotency-Key']);
    }
  });

  it('refuses a timestamp in seconds instead of ms, metadata that is not an object, and reserved stream ids', () => {
    expect(() => parseChunkFields({ timestamp: String(Math.floor(now / 1000)) }, undefined, now)).toThrow(
      /7 days/,
    );
    expect(() => parseChunkFields({ timestamp: String(now), metadata: '[1]' }, undefined, now)).toThrow(
      /object/,
    );
    expect(parseChunkFields({ timestamp: String(now), metadata: '{"a":1}', seq: '7' }, 'k-1', now)).toEqual({
      capturedAt: new Date(now),
      metadata: { a: 1 },
      seq: 7,
      idempotencyKey: 'k-1',
    });
    expect(() => assertStreamId('best')).toThrow();
    expect(assertStreamId('kitchen-1')).toBe('kitchen-1');
  });
});
