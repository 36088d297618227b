import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AudioUploadInterceptor } from '@mira/audio';
import { Access, AccountNetwork, ErrorResponseDto, pageBounds, RateBudget, UuidParamPipe } from '@mira/core';
import { PersonDto, PersonService, toPersonDto } from '@mira/person';
import { RequirePersonInterceptor } from '@mira/recognition';
import { AppPersonsService, type UploadedAudioFile } from './app-persons.service.js';
import { AppListQueryDto, AppPersonUpdateDto } from './dto/app.dto.js';

const NOT_FOUND = {
  status: 404,
  description: "PERSON_NOT_FOUND (also for another account's person)",
  type: ErrorResponseDto,
};
const PersonIdParam = () => ApiParam({ name: 'person_id', format: 'uuid' });

/** The shipped apps' /persons: the account's persons, as the network door serves them in v1. */
@ApiTags('apps')
@Controller('persons')
export class AppPersonsController {
  constructor(
    private readonly persons: PersonService,
    private readonly appPersons: AppPersonsService,
  ) {}

  @Get()
  @Access('account')
  @ApiOperation({ summary: 'Persons, by index (limit default 500: the apps ask without one for all)' })
  @ApiResponse({ status: 200, type: [PersonDto] })
  async list(@AccountNetwork() networkId: string, @Query() query: AppListQueryDto): Promise<PersonDto[]> {
    return (await this.persons.list(networkId, pageBounds(query, 500), false, 'basic')).items.map(
      toPersonDto,
    );
  }

  @Get(':person_id')
  @Access('account')
  @PersonIdParam()
  @ApiOperation({ summary: 'One person (never includes a raw voice embedding)' })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @AccountNetwork() networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<PersonDto> {
    return toPersonDto(await this.persons.get(networkId, id, 'basic'));
  }

  @Patch(':person_id')
  @Access('account')
  @RateBudget('enrol')
  @PersonIdParam()
  @UseInterceptors(AudioUploadInterceptor('audio', { optional: true }))
  // Listed after (below) the upload so that it runs first: the person is checked before the body is read.
  @UseInterceptors(RequirePersonInterceptor)
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 255, description: 'New name; "" unnames' },
        audio: {
          type: 'string',
          format: 'binary',
          description: 'A recording of the person to enrol as a voice sample (any format Mira decodes)',
        },
        expected_text: { type: 'string', maxLength: 500, description: 'What was read aloud in audio' },
      },
    },
  })
  @ApiOperation({
    summary: 'Rename a person and/or enrol a voice sample (the apps send a multipart form)',
    description:
      'At least one of `name` or `audio` is required (422 otherwise, as for an unknown field). With `audio` the ' +
      'sample is enrolled first, under the voice enrolment rules (422 VOICE_SAMPLE_NO_SPEECH, …); then the name ' +
      'changes. Answers the person.',
  })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 413, description: 'AUDIO_TOO_LARGE / AUDIO_TOO_LONG', type: ErrorResponseDto })
  @ApiResponse({
    status: 415,
    description: 'AUDIO_UNDECODABLE, or a body neither multipart nor JSON',
    type: ErrorResponseDto,
  })
  async update(
    @AccountNetwork() networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
    @Body() body: AppPersonUpdateDto,
    @UploadedFile() audio: UploadedAudioFile | undefined,
  ): Promise<PersonDto> {
    return toPersonDto(await this.appPersons.update(networkId, id, body, audio));
  }

  @Delete(':person_id')
  @HttpCode(204)
  @Access('account')
  @PersonIdParam()
  @ApiOperation({
    summary: 'Delete a person (their interactions stay, unattributed)',
    description: "Repeating it answers 204 again; an id that was never this account's is a 404.",
  })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @AccountNetwork() networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<void> {
    await this.persons.delete(networkId, id);
  }
}
