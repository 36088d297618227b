import { Controller, Get, Param, Query, type Type } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ItemRoutes, PageQueryDto, pageBounds, pageEnvelope } from '@mira/core';
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
import type { PersonRecord, PersonStatsLevel } from './person.types.js';

const DELETE_DOC =
  'Deletes the person. Their interactions are kept: `person_id` becomes null and `metadata.deleted_person` ' +
  "records `{id, index, name, deleted_at}`; the person leaves every conversation's participants. " +
  'Idempotent: repeating the delete answers 204 again; an id that never existed ' +
  'in this network (or belongs to another network) is a 404.';
const UPDATE_DOC =
  'Only the fields given change (PUT and PATCH behave the same). `name: null` unnames the person.';

/** GET/PUT/PATCH/DELETE /persons/{person_id} and POST /persons, answering with `answer` built from `stats`. */
function PersonRoutes<Dto>(answer: Type<Dto>, stats: PersonStatsLevel, toDto: (record: PersonRecord) => Dto) {
  return ItemRoutes({
    service: PersonService,
    operations: (persons) => ({
      get: (networkId, id) => persons.get(networkId, id, stats),
      create: (networkId, body) => persons.create(networkId, body, stats),
      update: (networkId, id, body) => persons.update(networkId, id, body, stats),
      delete: (networkId, id) => persons.delete(networkId, id),
    }),
    idParam: 'person_id',
    createBody: CreatePersonDto,
    updateBody: UpdatePersonDto,
    answer,
    toDtos: (_persons, _networkId, records) => records.map(toDto),
    docs: {
      get: 'One person (never includes a raw voice embedding)',
      create: { summary: 'Create a person; it gets the next per-network index', mayNotFind: false },
      update: { summary: 'Update a person', description: UPDATE_DOC },
      delete: { summary: 'Delete a person', description: DELETE_DOC },
      notFound: { status: 404, description: "PERSON_NOT_FOUND (also for another network's person)" },
    },
  });
}

/** v1: the original API's shapes (lists are bare arrays). */
@ApiTags('persons')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/persons', version: '1' })
export class PersonsV1Controller extends PersonRoutes(PersonDto, 'basic', toPersonDto) {
  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Persons of the network, by index (limit default 20)' })
  @ApiResponse({ status: 200, type: [PersonDto] })
  async list(@Param('network_id') networkId: string, @Query() query: PageQueryDto): Promise<PersonDto[]> {
    return (await this.service.list(networkId, pageBounds(query, 20), false, 'basic')).items.map(toPersonDto);
  }
}

/** v2: list envelope, sort/order, display_name and activity figures. */
@ApiTags('persons')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller({ path: ':network_id/persons', version: '2' })
export class PersonsV2Controller extends PersonRoutes(PersonV2Dto, 'full', toPersonV2Dto) {
  @Get()
  @Access('network')
  @ApiOperation({ summary: 'Persons of the network in an envelope, sortable (limit default 20)' })
  @ApiResponse({ status: 200, type: PersonPageDto })
  async list(
    @Param('network_id') networkId: string,
    @Query() query: PersonListQueryV2Dto,
  ): Promise<PersonPageDto> {
    const { limit, offset } = pageBounds(query, 20);
    const { items, total } = await this.service.list(
      networkId,
      { limit, offset, sort: query.sort, order: query.order },
      true,
    );
    return pageEnvelope(await this.answers(networkId, items), total ?? 0, limit, offset);
  }
}
