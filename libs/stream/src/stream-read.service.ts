import { Injectable } from '@nestjs/common';
import { AppConfig } from '@mira/core';
import { floorIsHeld, floorStateOf, isStreamActive, streamScore } from './arbitration.policy.js';
import { assertStreamId } from './chunk-input.js';
import { PhoneSignalService } from './phone-signal.service.js';
import { type FloorRow, StreamFloorRepository } from './stream-floor.repository.js';
import { StreamErrors } from './stream.errors.js';
import { StreamRepository } from './stream.repository.js';
import type { BestStream, Stream, StreamScores, StreamView } from './stream.types.js';

/** The streams of a network as they stand: scores with today's phone signals, activity, and who holds the floor. */
@Injectable()
export class StreamReadService {
  constructor(
    private readonly streams: StreamRepository,
    private readonly floors: StreamFloorRepository,
    private readonly signals: PhoneSignalService,
    private readonly config: AppConfig,
  ) {}

  async get(networkId: string, rawStreamId: string): Promise<StreamView> {
    const streamId = assertStreamId(rawStreamId);
    const stream = await this.streams.find(networkId, streamId);
    if (!stream) throw StreamErrors.streamNotFound(streamId);
    const [view] = await this.describe(networkId, [stream], await this.floors.get(networkId));
    return view!;
  }

  async scores(networkId: string): Promise<StreamScores> {
    const floor = await this.floors.get(networkId);
    const views = await this.describe(networkId, await this.streams.list(networkId), floor);
    return {
      views: [...views.filter((v) => v.isActive), ...views.filter((v) => !v.isActive)],
      best: bestOf(views, floor),
    };
  }

  async best(networkId: string): Promise<BestStream | null> {
    const floor = await this.floors.get(networkId);
    return bestOf(await this.describe(networkId, await this.streams.list(networkId), floor), floor);
  }

  /** The stream holding the floor, while it holds it. */
  async floorHolder(networkId: string, floor: FloorRow): Promise<Stream | null> {
    if (!this.heldBy(floor, floor.holderStreamRowId)) return null;
    const [holder] = await this.streams.findByRowIds(networkId, [floor.holderStreamRowId!]);
    return holder ?? null;
  }

  /** `holder` (the floor's holder, already read) while it holds the floor, else null. */
  heldBy<T>(floor: FloorRow, holder: T | null): T | null {
    if (holder === null || !floor.holderStreamRowId) return null;
    return floorIsHeld(floorStateOf(floor), Date.now(), this.config.values.streams.inactiveAfterMs)
      ? holder
      : null;
  }

  private async describe(networkId: string, streams: Stream[], floor: FloorRow): Promise<StreamView[]> {
    const nowMs = Date.now();
    const { inactiveAfterMs } = this.config.values.streams;
    const signalsOf = await this.signals.of(
      networkId,
      streams.map((s) => s.clientId),
      nowMs,
    );
    const held = floorIsHeld(floorStateOf(floor), nowMs, inactiveAfterMs);
    return streams.map((stream) => {
      const device = signalsOf(stream.clientId);
      const isActive = isStreamActive(stream.lastReceivedAt?.getTime() ?? null, nowMs, inactiveAfterMs);
      return {
        stream,
        breakdown: stream.audioScore === null ? null : streamScore(stream.audioScore, device.signals),
        device,
        isActive,
        holdsFloor: held && isActive && floor.holderStreamRowId === stream.id,
      };
    });
  }
}

/** The floor holder while it holds the floor; otherwise the best-scoring active stream; otherwise null. */
function bestOf(views: StreamView[], floor: FloorRow): BestStream | null {
  const holder = views.find((v) => v.holdsFloor);
  if (holder) return { view: holder, since: floor.holderSince };
  const scored = views.filter((v) => v.isActive && v.breakdown !== null);
  const [best] = scored.sort(
    (a, b) => b.breakdown!.score - a.breakdown!.score || (a.stream.streamId < b.stream.streamId ? -1 : 1),
  );
  return best ? { view: best, since: null } : null;
}
