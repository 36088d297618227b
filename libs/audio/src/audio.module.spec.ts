import { Controller, Post, UploadedFile, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AllExceptionsFilter,
  AppConfig,
  AppLogger,
  CoreModule,
  encodeWav16,
  HealthRegistry,
} from '@mira/core';
import { AudioModule } from './audio.module.js';
import { AudioService } from './audio.service.js';
import { AudioUpload } from './audio-upload.js';
import { prepareTestModelDir } from '../../../test/support/audio.js';

@Controller('upload')
class UploadTestController {
  constructor(private readonly audio: AudioService) {}

  @Post()
  @AudioUpload('audio', { client_id: 'device id' })
  async upload(@UploadedFile() file: Express.Multer.File) {
    const decoded = await this.audio.decode(file.buffer, {
      filename: file.originalname,
      mimetype: file.mimetype,
    });
    return { duration: decoded.durationSeconds, format: decoded.format };
  }
}

describe('AudioModule: AudioService, health entries and the AudioUpload helper', () => {
  let app: INestApplication;
  let tone: Buffer;
  beforeAll(async () => {
    const config = AppConfig.fromEnvironment(
      {},
      {
        NODE_ENV: 'test',
        DATA_DIR: '/tmp/mira-audio-module-spec',
        JWT_SECRET: 'x'.repeat(40),
        MODEL_DIR: await prepareTestModelDir(),
        AUDIO_MAX_BYTES: '100000',
      },
    );
    const logger = new AppLogger('error', true);
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config, logger), AudioModule],
      controllers: [UploadTestController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new AllExceptionsFilter(logger));
    await app.init();
    const samples = new Float32Array(16000);
    for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 300 * i) / 16000);
    tone = encodeWav16(samples, 16000);
  });
  afterAll(() => app.close());

  it('registers one health entry per engine and reports which engine runs', async () => {
    const health = await app.get(HealthRegistry).runAll();
    expect(health.audio_denoise).toMatchObject({ engine: 'gtcrn', status: 'healthy' });
    expect(health.audio_vad).toMatchObject({ engine: 'silero-vad', status: 'healthy' });
    expect(health.audio_speaker).toMatchObject({ model: 'mira-speaker-v1', status: 'healthy' });
    expect(health.audio_decode).toMatchObject({ status: 'healthy' });
    expect(app.get(AudioService).engines().denoise!.engine).toBe('gtcrn');
  });

  it('accepts a multipart audio file and hands it to the route', async () => {
    const res = await request(app.getHttpServer())
      .post('/upload')
      .field('client_id', 'kitchen')
      .attach('audio', tone, 'clip.wav');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ duration: 1, format: 'wav' });
  });

  it('answers 422 AUDIO_FILE_MISSING naming the field when the file is absent', async () => {
    const res = await request(app.getHttpServer()).post('/upload').field('client_id', 'kitchen');
    expect(res.status).toBe(422);
    expect(res.body.error_code).toBe('AUDIO_FILE_MISSING');
    expect(res.body.fields).toEqual([{ field: 'audio', messages: [expect.stringContaining('audio')] }]);
  });

  it('answers 422 naming the field when the file comes in another field', async () => {
    const res = await request(app.getHttpServer()).post('/upload').attach('file', tone, 'clip.wav');
    expect(res.status).toBe(422);
    expect(res.body.fields[0].field).toBe('audio');
  });

  it('answers 413 AUDIO_TOO_LARGE above AUDIO_MAX_BYTES without buffering the rest', async () => {
    const res = await request(app.getHttpServer())
      .post('/upload')
      .attach('audio', Buffer.alloc(200_000), 'big.wav');
    expect(res.status).toBe(413);
    expect(res.body.error_code).toBe('AUDIO_TOO_LARGE');
  });

  it('answers 422 AUDIO_EMPTY for a zero-byte file and 4xx for undecodable or malformed bodies', async () => {
    const empty = await request(app.getHttpServer())
      .post('/upload')
      .attach('audio', Buffer.alloc(0), 'a.wav');
    expect(empty.status).toBe(422);
    expect(empty.body.error_code).toBe('AUDIO_EMPTY');
    const odd = await request(app.getHttpServer())
      .post('/upload')
      .attach('audio', Buffer.alloc(33, 1), 'a.wav');
    expect(odd.status).toBe(422);
    expect(odd.body.error_code).toBe('AUDIO_ODD_LENGTH_PCM');
    const broken = await request(app.getHttpServer())
      .post('/upload')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nabc');
    expect(broken.status).toBeGreaterThanOrEqual(400);
    expect(broken.status).toBeLessThan(500);
  });
});
