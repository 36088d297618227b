import { Injectable } from '@nestjs/common';
import { CommonErrors } from '@mira/core';
import { PersonService, type PersonRecord } from '@mira/person';
import { VoiceprintService } from '@mira/recognition';
import type { AppPersonChanges } from './app.types.js';

export interface UploadedAudioFile {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

/**
 * PATCH /persons/{person_id} as the apps send it: one form that may rename the person and enrol a voice sample.
 * A form that asks for nothing Mira understands is a 422, never a silent 200.
 */
@Injectable()
export class AppPersonsService {
  constructor(
    private readonly persons: PersonService,
    private readonly voiceprints: VoiceprintService,
  ) {}

  async update(
    networkId: string,
    personId: string,
    body: AppPersonChanges,
    audio: UploadedAudioFile | undefined,
  ): Promise<PersonRecord> {
    const renames = body.name !== undefined;
    if (body.expected_text !== undefined && !audio) {
      const message = 'expected_text describes a voice sample: send the recording in the "audio" field';
      throw CommonErrors.validation(message, [{ field: 'audio', messages: [message] }]);
    }
    if (!renames && !audio) {
      const message = 'Nothing to change: send "name", or a voice sample in "audio" (with "expected_text")';
      throw CommonErrors.validation(message, [{ field: 'body', messages: [message] }]);
    }
    // Enrolment first: it is the part that can be refused (no speech, clipped), and then nothing has changed.
    if (audio) {
      await this.voiceprints.enrol(
        networkId,
        personId,
        audio.buffer,
        { filename: audio.originalname, mimetype: audio.mimetype },
        body.expected_text ?? null,
      );
    }
    return renames
      ? this.persons.update(networkId, personId, { name: body.name }, 'basic')
      : this.persons.get(networkId, personId, 'basic');
  }
}
