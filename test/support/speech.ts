import { readFileSync } from 'node:fs';
import { encodeWav16 } from '@mira/core';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { createPerson, type TestApp } from './app.js';

export const DEV_SPEAKERS = ['1688', '1998', '2033', '3080', '533'];

/** PCM16 WAV (16 kHz unless told) of a sine tone (no speech) or silence, for quality-gate and rate tests. */
export function toneWav(seconds: number, amplitude: number, frequency = 440, rate = 16_000): Buffer {
  const samples = Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate),
  );
  return encodeWav16(samples, rate);
}

export function enrolVoice(
  t: TestApp,
  auth: { Authorization: string },
  networkId: string,
  personId: string,
  file: string,
) {
  return t
    .http()
    .post(`/api/v1/${networkId}/persons/${personId}/voice`)
    .set(auth)
    .attach('audio_file', readFileSync(file), 'sample.flac');
}

/** Uploads one utterance as a device stream chunk (the real ingestion path); answers the chunk id. */
export async function streamUtterance(
  t: TestApp,
  device: { Authorization: string },
  networkId: string,
  streamId: string,
  audio: Buffer,
  capturedAt: Date,
): Promise<string> {
  const res = await t
    .http()
    .post(`/api/v1/${networkId}/streams/${streamId}/audio`)
    .set(device)
    .field('timestamp', capturedAt.toISOString())
    .attach('audio_data', audio, 'chunk.flac');
  if (res.status !== 200) throw new Error(`stream upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.chunk_id as string;
}

export function readAudio(file: string): Buffer {
  return readFileSync(file);
}

/** An interaction as /api/v2 answers it (the fields the pipeline tests read). */
export interface InteractionRow {
  id: string;
  person_id: string | null;
  conversation_id: string | null;
  content: string | null;
  speaker_confidence: number | null;
  processing_status: string | null;
  transcription_status: string | null;
  source_chunk_id: string | null;
  metadata: { speaker: Record<string, unknown>; transcription: Record<string, unknown> };
}

/** A person named `name` enrolled from the first two files of LibriSpeech dev speaker `speaker`; answers its id. */
export async function enrolledPerson(
  t: TestApp,
  auth: { Authorization: string },
  networkId: string,
  name: string,
  speaker: string,
): Promise<string> {
  const personId = await createPerson(t, auth, networkId, name);
  for (const file of librispeechDevFiles(speaker).slice(0, 2))
    await enrolVoice(t, auth, networkId, personId, file).expect(201);
  return personId;
}
