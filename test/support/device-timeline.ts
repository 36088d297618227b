/**
 * Capture times for the devices of one network when a test streams utterances one after another (waiting for each to
 * be processed), so that the server hears each device's own timeline and never two devices at once.
 *
 * The server aligns a stream's chunks to its own clock (chunk-ingestion: a stream's first chunk ends when it was
 * received; later chunks keep that clock offset but never end after their receipt), and chunks of two devices that
 * overlap by half in aligned time are copies of one sound: when one was already forwarded, the other is dropped as a
 * late copy and never processed. A capture time an hour in the past does not keep a new device apart from the others:
 * its first chunk still lands at its receipt, over the chunk another device sent a moment before. So before a device
 * is heard for the first time, or again after other devices, the timeline waits until that chunk, ending at its
 * receipt, starts after everything received so far.
 *
 * Within one device, each chunk starts `gap` seconds after the device's previous chunk ended, in the device's clock.
 * The server keeps that gap when the chunk arrives after it could have been said (the machine was slower than real
 * time); otherwise the chunk lands at its receipt and the gap is shorter. `waitForGap` waits in real time until the
 * whole gap has passed, for a gap that must be at least that long (e.g. longer than the continuation of a turn).
 */
import { waitFor } from './wait.js';

/** Room between two devices' chunks in aligned time. */
const DEVICE_SWITCH_MARGIN_MS = 2_000;
/** A first capture time this far in the past: the server sets the stream's clock from the chunk's receipt. */
const FIRST_CAPTURE_LEAD_MS = 3_600_000;
/** A capture time this far ahead of the device's own clock lands the chunk at its receipt (accepted: within 7 days). */
const RESYNC_MS = 86_400_000;

interface DeviceClock {
  /** End of the device's last chunk, in the device's clock. */
  endMs: number;
}

export class DeviceTimeline {
  private readonly clocks = new Map<string, DeviceClock>();
  private lastDevice: string | null = null;
  private lastReceivedMs = Number.NEGATIVE_INFINITY;

  /**
   * Sends one chunk of `seconds` from `device` through `upload` (given its capture time) and answers what `upload`
   * answered; `gap`: seconds after the device's previous chunk ended.
   */
  async send<T>(
    device: string,
    seconds: number,
    gap: number,
    upload: (capturedAt: Date) => Promise<T>,
    options: { waitForGap?: boolean } = {},
  ): Promise<T> {
    const ms = seconds * 1000;
    const clock = this.clocks.get(device);
    let startMs: number;
    if (!clock || device !== this.lastDevice) {
      await waitFor(() => Date.now() >= this.lastReceivedMs + ms + DEVICE_SWITCH_MARGIN_MS, {
        intervalMs: 100,
        timeoutMs: ms + 60_000,
        what: 'a moment no other device was heard',
      });
      startMs = clock ? clock.endMs + RESYNC_MS : Date.now() - FIRST_CAPTURE_LEAD_MS;
    } else {
      if (options.waitForGap) {
        const since = this.lastReceivedMs;
        await waitFor(() => Date.now() >= since + (gap + seconds) * 1000, {
          intervalMs: 100,
          timeoutMs: (gap + seconds) * 1000 + 60_000,
          what: 'the gap to pass',
        });
      }
      startMs = clock.endMs + gap * 1000;
    }
    const answer = await upload(new Date(startMs));
    this.clocks.set(device, { endMs: startMs + ms });
    this.lastDevice = device;
    this.lastReceivedMs = Date.now();
    return answer;
  }
}
