import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { AudioErrors } from '@mira/audio';
import { AppConfig, type AuthenticatedRequest, CommonErrors } from '@mira/core';
import { type ReceivedRecording, RecordingService } from './recording.service.js';

/** The multipart field that carries the recording. */
export const RECORDING_FIELD = 'audio';

/** What the upload leaves on the request for the controller. */
export interface RecordingUploadRequest extends AuthenticatedRequest {
  recordingUpload?: ReceivedRecording;
}

/**
 * Streams the multipart `audio` file into storage as it arrives (RecordingService.receive, through a multer storage
 * engine), never holding it whole: at most RECORDINGS_MAX_BYTES (413 AUDIO_TOO_LARGE as soon as the stream passes
 * it), exactly one file in `audio` (422 otherwise). If the request then fails (its fields are invalid, …), the stored
 * upload is discarded.
 */
@Injectable()
export class RecordingUploadInterceptor implements NestInterceptor {
  constructor(
    private readonly recordings: RecordingService,
    private readonly config: AppConfig,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & RecordingUploadRequest>();
    const res = http.getResponse<Response>();
    const networkId = req.networkId;
    const principal = req.principal;
    if (!networkId || !principal) throw new Error('RecordingUploadInterceptor runs on a network route');
    const maxBytes = this.config.values.recordings.maxBytes;
    // what storing refused (AppError) or could not do (database): answered as is, not as a malformed body
    const storageErrors = new WeakSet<object>();
    const storage: multer.StorageEngine = {
      _handleFile: (_req, file, callback) => {
        this.recordings
          .receive(networkId, principal, file.stream, {
            filename: file.originalname,
            mimetype: file.mimetype,
          })
          .then(
            (received) => callback(null, { size: received.bytes, ...({ received } as object) }),
            (err: unknown) => {
              if (typeof err === 'object' && err !== null) storageErrors.add(err);
              callback(err as Error);
            },
          );
      },
      _removeFile: (_req, file, callback) => {
        const received = (file as unknown as { received?: ReceivedRecording }).received;
        if (!received) return callback(null);
        this.recordings.discard(networkId, received.recordingId).then(() => callback(null), callback);
      },
    };
    const upload = multer({
      storage,
      limits: { fileSize: maxBytes, files: 1, fields: 16, fieldSize: 64 * 1024 },
    }).single(RECORDING_FIELD);
    await new Promise<void>((resolve, reject) => {
      upload(req, res, (err: unknown) => {
        if (!err) return resolve();
        if (typeof err === 'object' && storageErrors.has(err)) return reject(err);
        if (
          err instanceof Error &&
          'code' in err &&
          typeof err.code === 'string' &&
          err.name === 'MulterError'
        ) {
          if (err.code === 'LIMIT_FILE_SIZE') {
            const declared = Number(req.headers['content-length']);
            return reject(
              AudioErrors.tooLarge(Number.isFinite(declared) ? declared : maxBytes + 1, maxBytes),
            );
          }
          if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT') {
            return reject(
              CommonErrors.validation(`Send exactly one file, in the multipart field "${RECORDING_FIELD}"`, [
                {
                  field: RECORDING_FIELD,
                  messages: [`exactly one file is expected in "${RECORDING_FIELD}"`],
                },
              ]),
            );
          }
          return reject(CommonErrors.malformed(`Malformed multipart body: ${err.message.slice(0, 120)}`));
        }
        return reject(
          CommonErrors.malformed(
            `Malformed multipart body: ${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'}`,
          ),
        );
      });
    });
    const received = (req.file as unknown as { received?: ReceivedRecording } | undefined)?.received;
    if (!received) throw AudioErrors.fileMissing(RECORDING_FIELD);
    req.recordingUpload = received;
    return next.handle().pipe(
      catchError((err: unknown) =>
        from(this.recordings.discard(networkId, received.recordingId)).pipe(
          mergeMap(() => {
            throw err;
          }),
        ),
      ),
    );
  }
}
