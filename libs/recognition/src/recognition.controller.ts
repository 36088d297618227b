import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AudioUpload } from '@mira/audio';
import { Access, ErrorResponseDto, RateBudget, UuidParamPipe } from '@mira/core';
import { PersonDto, PersonService, toPersonDto } from '@mira/person';
import { EnrolmentResultDto, EnrolVoiceDto, MergePersonDto, VoiceSampleDto } from './dto/voice.dto.js';
import { toEnrolmentResultDto, toVoiceSampleDto } from './voiceprint.mapper.js';
import { VoiceprintService } from './voiceprint.service.js';
import { RequirePersonInterceptor } from './require-person.interceptor.js';

const NOT_FOUND = {
  status: 404,
  description: 'PERSON_NOT_FOUND (also for another network)',
  type: ErrorResponseDto,
};

/** Voice enrolment (voiceprint samples) and merging persons; served under /api/v1 and /api/v2. */
@ApiTags('persons')
@ApiParam({ name: 'network_id', format: 'uuid' })
@ApiParam({ name: 'person_id', format: 'uuid' })
@Controller(':network_id/persons/:person_id')
export class RecognitionController {
  constructor(
    private readonly voiceprints: VoiceprintService,
    private readonly persons: PersonService,
  ) {}

  @Post('voice')
  @Access('network')
  @RateBudget('enrol')
  @AudioUpload('audio_file', { description: 'Optional description of the sample' })
  // Listed after (below) AudioUpload so that it runs first: the person is checked before the body is read.
  @UseInterceptors(RequirePersonInterceptor)
  @ApiOperation({
    summary: 'Add a voiceprint sample for a person (enrolment)',
    description:
      'The audio is denoised and its speech found by VAD; refused with 422 when it holds no speech ' +
      '(VOICE_SAMPLE_NO_SPEECH), less speech than ENROLMENT_MIN_SPEECH_SECONDS (VOICE_SAMPLE_TOO_LITTLE_SPEECH, ' +
      'default 1.5 s) or is clipped (VOICE_SAMPLE_CLIPPED). The embedding is stored encrypted with the id of ' +
      'the speaker model that made it; it is never returned. The same speech is also embedded as heard in white ' +
      'and pink noise (5 dB) and babble (10 dB) through the denoiser, the voiceprint noisy speech is compared with ' +
      '(about 0.07 s of CPU per second of audio). The audio itself is not kept.',
  })
  @ApiResponse({ status: 201, type: EnrolmentResultDto })
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 413, description: 'AUDIO_TOO_LARGE / AUDIO_TOO_LONG', type: ErrorResponseDto })
  @ApiResponse({ status: 415, description: 'AUDIO_UNDECODABLE', type: ErrorResponseDto })
  @ApiResponse({ status: 503, description: 'No speaker model loaded', type: ErrorResponseDto })
  async enrol(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) personId: string,
    @UploadedFile() file: Express.Multer.File,
    @Body() body: EnrolVoiceDto,
  ): Promise<EnrolmentResultDto> {
    const enrolment = await this.voiceprints.enrol(
      networkId,
      personId,
      file.buffer,
      { filename: file.originalname, mimetype: file.mimetype },
      body.description ?? null,
    );
    return toEnrolmentResultDto(enrolment, this.voiceprints.currentModelId());
  }

  @Get('voice')
  @Access('network')
  @ApiOperation({ summary: "A person's voiceprint samples (metadata only, never the vectors)" })
  @ApiResponse({ status: 200, type: [VoiceSampleDto] })
  @ApiResponse(NOT_FOUND)
  async list(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) personId: string,
  ): Promise<VoiceSampleDto[]> {
    const current = this.voiceprints.currentModelId();
    return (await this.voiceprints.list(networkId, personId)).map((s) => toVoiceSampleDto(s, current));
  }

  @Delete('voice/:sample_id')
  @HttpCode(204)
  @Access('network')
  @ApiParam({ name: 'sample_id', format: 'uuid' })
  @ApiOperation({ summary: 'Delete one voiceprint sample (really deleted)' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({
    status: 404,
    description: 'PERSON_NOT_FOUND or VOICE_SAMPLE_NOT_FOUND',
    type: ErrorResponseDto,
  })
  async deleteSample(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) personId: string,
    @Param('sample_id', new UuidParamPipe('sample_id')) sampleId: string,
  ): Promise<void> {
    await this.voiceprints.deleteSample(networkId, personId, sampleId);
  }

  @Post('merge')
  @HttpCode(200)
  @Access('network')
  @ApiOperation({
    summary: 'Fold another person into this one',
    description:
      "Moves the source person's voiceprints, interactions, conversation participations and actions to this " +
      'person and deletes the source, in one transaction. Answers the merged person.',
  })
  @ApiResponse({ status: 200, type: PersonDto, description: 'The merged person' })
  @ApiResponse({
    status: 404,
    description: 'PERSON_NOT_FOUND (target, or source naming source_person_id)',
    type: ErrorResponseDto,
  })
  @ApiResponse({
    status: 422,
    description: 'PERSON_MERGE_SELF or an invalid source_person_id',
    type: ErrorResponseDto,
  })
  async merge(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) personId: string,
    @Body() body: MergePersonDto,
  ): Promise<PersonDto> {
    return toPersonDto(await this.persons.merge(networkId, personId, body.source_person_id));
  }
}
