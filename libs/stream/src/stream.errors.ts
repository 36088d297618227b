import { AppError } from '@mira/core';

/** Stream refusals (docs/streams.md). */
export const StreamErrors = {
  serviceDisabled: () =>
    new AppError(
      'SERVICE_DISABLED',
      'The service is disabled in this network; enable it to send audio',
      503,
      {
        retryAfterSeconds: 30,
      },
    ),
  clientTokenRequired: () =>
    new AppError(
      'CLIENT_TOKEN_REQUIRED',
      'Audio is sent by a registered device of the network with its client token, not by a user token',
      403,
    ),
  streamOwnedByAnotherClient: (streamId: string) =>
    new AppError('STREAM_OWNED_BY_ANOTHER_CLIENT', `Stream ${streamId} belongs to another device`, 409),
  streamNotFound: (streamId: string) =>
    new AppError('STREAM_NOT_FOUND', `Stream ${streamId} not found in this network`, 404),
  clientNotFound: (clientId: string) => new AppError('CLIENT_NOT_FOUND', `Client ${clientId} not found`, 404),
  targetClientNotFound: (clientId: string) =>
    new AppError('CLIENT_NOT_FOUND', `Target client ${clientId} not found`, 404),
  phoneClientNotFound: (clientId: string) =>
    new AppError(
      'CLIENT_NOT_FOUND',
      `Phone client ${clientId} (phone_client_id) not found in this network`,
      404,
    ),
  chunkTooLong: (seconds: number, max: number) =>
    new AppError('CHUNK_TOO_LONG', `The chunk lasts ${seconds.toFixed(2)} s; the limit is ${max} s`, 413),
  seqConflict: (seq: number) =>
    new AppError(
      'CHUNK_SEQ_CONFLICT',
      `seq ${seq} of this stream was already used for different audio or a different timestamp`,
      409,
    ),
  liveFramesCommitted: (streamId: string, committedSeq: number) =>
    new AppError(
      'LIVE_FRAMES_ALREADY_COMMITTED',
      `Stream ${streamId} already holds frames up to seq ${committedSeq}: another connection feeds it`,
      409,
    ),
  upgradeRequired: () =>
    new AppError(
      'LIVE_AUDIO_UPGRADE_REQUIRED',
      'This path speaks WebSocket only: open it with an Upgrade: websocket request',
      426,
    ),
  idempotencyKeyReused: () =>
    new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request (other stream, audio or timestamp)',
      422,
    ),
};
