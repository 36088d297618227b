import { AppError } from '@mira/core';
import { closeReason, LiveAudioProtocolError, parseClientMessage } from './live-audio-protocol.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('live audio protocol', () => {
  it('reads a hello with defaults, epoch ms or ISO 8601 timestamps, and the client metadata', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', timestamp: NOW - 500 }), NOW)).toEqual({
      type: 'hello',
      format: 'pcm16',
      seq: null,
      capturedAtMs: NOW - 500,
      chunkSeconds: 5,
      metadataJson: null,
    });
    expect(
      parseClientMessage(
        JSON.stringify({
          type: 'hello',
          timestamp: '2026-06-01T11:59:59.000Z',
          seq: 42,
          chunk_seconds: 8,
          format: 'pcm16',
          sample_rate: 16000,
          metadata: { app: 'x' },
        }),
        NOW,
      ),
    ).toEqual({
      type: 'hello',
      format: 'pcm16',
      seq: 42,
      capturedAtMs: NOW - 1000,
      chunkSeconds: 8,
      metadataJson: '{"app":"x"}',
    });
    // Opus: one packet per message, from an encoder opened at any Opus rate (16 kHz and 48 kHz the usual ones)
    for (const rate of [16000, 48000, undefined]) {
      expect(
        parseClientMessage(
          JSON.stringify({ type: 'hello', timestamp: NOW, format: 'opus', sample_rate: rate }),
          NOW,
        ),
      ).toMatchObject({ type: 'hello', format: 'opus' });
    }
    expect(parseClientMessage('{"type":"flush"}', NOW)).toEqual({ type: 'flush' });
    expect(parseClientMessage('{"type":"ping"}', NOW)).toEqual({ type: 'ping' });
  });

  it('names every bad hello field in one 422', () => {
    const bad = JSON.stringify({
      type: 'hello',
      timestamp: 'yesterday',
      seq: -1,
      chunk_seconds: 60,
      format: 'aac',
      sample_rate: 48000,
      metadata: 'text',
    });
    let error: unknown;
    try {
      parseClientMessage(bad, NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(422);
    expect((error as AppError).extra.fields?.map((f) => f.field).sort()).toEqual([
      'chunk_seconds',
      'format',
      'metadata',
      'sample_rate',
      'seq',
      'timestamp',
    ]);
  });

  it('holds PCM to 16 kHz and Opus to the rates an Opus encoder has', () => {
    const fieldsOf = (hello: Record<string, unknown>) => {
      try {
        parseClientMessage(JSON.stringify({ type: 'hello', timestamp: NOW, ...hello }), NOW);
        return [];
      } catch (err) {
        return (err as AppError).extra.fields?.map((f) => f.field);
      }
    };
    expect(fieldsOf({ format: 'pcm16', sample_rate: 48000 })).toEqual(['sample_rate']);
    expect(fieldsOf({ format: 'opus', sample_rate: 44100 })).toEqual(['sample_rate']);
    expect(fieldsOf({ format: 'opus', sample_rate: '48000' })).toEqual(['sample_rate']);
    expect(fieldsOf({ format: 'opus', sample_rate: 24000 })).toEqual([]);
  });

  it('refuses what is not a JSON object or not a known type with a close code', () => {
    for (const [raw, code] of [
      ['not json', 1007],
      ['[1,2]', 1007],
      ['null', 1007],
      ['{"type":"bye"}', 1008],
      ['{}', 1008],
    ] as const) {
      expect(() => parseClientMessage(raw, NOW)).toThrow(LiveAudioProtocolError);
      try {
        parseClientMessage(raw, NOW);
      } catch (err) {
        expect((err as LiveAudioProtocolError).code).toBe(code);
      }
    }
  });

  it('keeps close reasons within the 123 bytes of a close frame', () => {
    expect(Buffer.byteLength(closeReason('é'.repeat(200)))).toBeLessThanOrEqual(123);
    expect(closeReason('short')).toBe('short');
  });
});
