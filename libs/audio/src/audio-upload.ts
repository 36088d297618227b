import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  mixin,
  NestInterceptor,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { Observable } from 'rxjs';
import { AppConfig, CommonErrors } from '@mira/core';
import { AudioErrors } from './audio.errors.js';

/**
 * Interceptor class for one multipart field: multer memory storage, at most one file of AUDIO_MAX_BYTES (413
 * AUDIO_TOO_LARGE beyond), and the file is required (422 AUDIO_FILE_MISSING naming the field) unless `optional`.
 * Other text fields of the form land in req.body as usual; a request that is not multipart passes untouched.
 */
export function AudioUploadInterceptor(
  field: string,
  { optional = false }: { optional?: boolean } = {},
): Type<NestInterceptor> {
  @Injectable()
  class Interceptor implements NestInterceptor {
    private readonly upload: ReturnType<ReturnType<typeof multer>['single']>;
    private readonly maxBytes: number;

    constructor(config: AppConfig) {
      this.maxBytes = config.values.audio.maxBytes;
      this.upload = multer({
        storage: multer.memoryStorage(),
        limits: { fileSize: this.maxBytes, files: 1, fields: 32, fieldSize: 64 * 1024 },
      }).single(field);
    }

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const http = context.switchToHttp();
      const req = http.getRequest<Request>();
      const res = http.getResponse<Response>();
      await new Promise<void>((resolve, reject) => {
        this.upload(req, res, (err: unknown) => {
          if (!err) return resolve();
          const code = (err as { code?: string }).code;
          if (code === 'LIMIT_FILE_SIZE') {
            const declared = Number(req.headers['content-length']);
            return reject(
              AudioErrors.tooLarge(Number.isFinite(declared) ? declared : this.maxBytes + 1, this.maxBytes),
            );
          }
          if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') {
            return reject(
              CommonErrors.validation(`Send exactly one file, in the multipart field "${field}"`, [
                { field, messages: [`exactly one file is expected in "${field}"`] },
              ]),
            );
          }
          return reject(
            CommonErrors.malformed(
              `Malformed multipart body: ${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'}`,
            ),
          );
        });
      });
      if (req.file && req.file.buffer.length === 0)
        throw AudioErrors.empty('The uploaded audio file has no bytes');
      if (!req.file && !optional) throw AudioErrors.fileMissing(field);
      return next.handle();
    }
  }
  return mixin(Interceptor);
}

/**
 * Route decorator for audio uploads: `@AudioUpload('audio')` then `@UploadedFile() file: Express.Multer.File`
 * (file.buffer, file.originalname, file.mimetype go to AudioService.decode). Documents the body in OpenAPI;
 * `extraFields` adds the form's other (string) fields to the schema.
 */
export function AudioUpload(field = 'audio', extraFields: Record<string, string> = {}): MethodDecorator {
  return applyDecorators(
    UseInterceptors(AudioUploadInterceptor(field)),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: [field],
        properties: {
          [field]: {
            type: 'string',
            format: 'binary',
            description:
              'WAV (PCM 8/16/24/32-bit or float, any rate, mono/stereo), raw PCM16LE 16 kHz mono, FLAC, MP3, Ogg/Opus or WebM/Opus',
          },
          ...Object.fromEntries(
            Object.entries(extraFields).map(([name, description]) => [name, { type: 'string', description }]),
          ),
        },
      },
    }),
  );
}
