import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, PageQueryDto, pageBounds, pageEnvelope, UuidParamPipe } from '@mira/core';
import {
  CreatePersonDto,
  PersonDto,
  PersonListQueryV2Dto,
  PersonPageDto,
  PersonV2Dto,
  UpdatePersonDto,
} from './dto/person.dto.js';
import { toPersonDto, toPersonV2Dto } from './person.mapper.js';
import { PersonService } from './person.service.js';

const DELETE_DOC =
  'Deletes the person. Their interactions are kept: `person_id` becomes null and `metadata.deleted_person` ' +
  "records `{id, index, name, deleted_at}`; the person leaves every conversation's participants. " +
  'Idempotent: repeating the delete answers 204 again; an id that never existed ' +
  'in this network (or belongs to another network) is a 404.';
const UPDATE_DOC =
  'Only the fields given change (PUT and PATCH behave the same). `name: null` unnames the person.';
const NOT_FOUND = { status: 404, description: "PERSON_NOT_FOUND (also for another network's person)" };

const PersonIdParam = () => ApiParam({ name: 'person_id', format: 'uuid' });

/** v1: the seed's shapes (lists are bare arrays). */
@ApiTags('persons')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/persons', version: '1' })
export class PersonsV1Controller {
  constructor(private readonly persons: PersonService) {}

  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Persons of the network, by index (limit default 20)' })
  @ApiResponse({ status: 200, type: [PersonDto] })
  async list(@Param('network_id') networkId: string, @Query() query: PageQueryDto): Promise<PersonDto[]> {
    return (await this.persons.list(networkId, pageBounds(query, 20), false, 'basic')).items.map(toPersonDto);
  }

  @Get(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'One person (never includes a raw voice embedding)' })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<PersonDto> {
    return toPersonDto(await this.persons.get(networkId, id, 'basic'));
  }

  @Post()
  @Access('network')
  @ApiOperation({ summary: 'Create a person; it gets the next per-network index' })
  @ApiResponse({ status: 201, type: PersonDto })
  async create(@Param('network_id') networkId: string, @Body() body: CreatePersonDto): Promise<PersonDto> {
    return toPersonDto(await this.persons.create(networkId, body, 'basic'));
  }

  @Put(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Update a person', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse(NOT_FOUND)
  async update(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
    @Body() body: UpdatePersonDto,
  ): Promise<PersonDto> {
    return toPersonDto(await this.persons.update(networkId, id, body, 'basic'));
  }

  @Patch(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Update a person (same as PUT)', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse(NOT_FOUND)
  patch(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
    @Body() body: UpdatePersonDto,
  ): Promise<PersonDto> {
    return this.update(networkId, id, body);
  }

  @Delete(':person_id')
  @HttpCode(204)
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Delete a person', description: DELETE_DOC })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<void> {
    await this.persons.delete(networkId, id);
  }
}

/** v2: list envelope, sort/order, display_name and activity figures. */
@ApiTags('persons')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/persons', version: '2' })
export class PersonsV2Controller {
  constructor(private readonly persons: PersonService) {}

  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Persons of the network in an envelope, sortable (limit default 20)' })
  @ApiResponse({ status: 200, type: PersonPageDto })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PersonListQueryV2Dto,
  ): Promise<PersonPageDto> {
    const { limit, offset } = pageBounds(query, 20);
    const page = await this.persons.list(
      networkId,
      { limit, offset, sort: query.sort, order: query.order },
      true,
    );
    return pageEnvelope(page.items.map(toPersonV2Dto), page.total ?? 0, limit, offset);
  }

  @Get(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'One person (never includes a raw voice embedding)' })
  @ApiResponse({ status: 200, type: PersonV2Dto })
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<PersonV2Dto> {
    return toPersonV2Dto(await this.persons.get(networkId, id));
  }

  @Post()
  @Access('network')
  @ApiOperation({ summary: 'Create a person; it gets the next per-network index' })
  @ApiResponse({ status: 201, type: PersonV2Dto })
  async create(@Param('network_id') networkId: string, @Body() body: CreatePersonDto): Promise<PersonV2Dto> {
    return toPersonV2Dto(await this.persons.create(networkId, body));
  }

  @Put(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Update a person', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: PersonV2Dto })
  @ApiResponse(NOT_FOUND)
  async update(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
    @Body() body: UpdatePersonDto,
  ): Promise<PersonV2Dto> {
    return toPersonV2Dto(await this.persons.update(networkId, id, body));
  }

  @Patch(':person_id')
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Update a person (same as PUT)', description: UPDATE_DOC })
  @ApiResponse({ status: 200, type: PersonV2Dto })
  @ApiResponse(NOT_FOUND)
  patch(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
    @Body() body: UpdatePersonDto,
  ): Promise<PersonV2Dto> {
    return this.update(networkId, id, body);
  }

  @Delete(':person_id')
  @HttpCode(204)
  @Access('network')
  @PersonIdParam()
  @ApiOperation({ summary: 'Delete a person', description: DELETE_DOC })
  @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
  @ApiResponse(NOT_FOUND)
  async delete(
    @Param('network_id') networkId: string,
    @Param('person_id', new UuidParamPipe('person_id')) id: string,
  ): Promise<void> {
    await this.persons.delete(networkId, id);
  }
}
