import {
  applyDecorators,
  Body,
  Delete,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Param,
  Patch,
  Post,
  Put,
  type Type,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, type ApiResponseOptions } from '@nestjs/swagger';
import { Access } from '../access/access.decorators.js';
import type { AccessRule } from '../access/principal.js';
import { UuidParamPipe } from './domain-validation.js';

/** What a resource's service offers for one item, in a network. */
export interface ItemOperations<R, C, U> {
  get(networkId: string, id: string): Promise<R>;
  create(networkId: string, body: C): Promise<R>;
  update(networkId: string, id: string, body: U): Promise<R>;
  delete(networkId: string, id: string): Promise<void>;
}

/** How a route learns its network: the network door takes it from the path, another door from the caller. */
export interface NetworkDoor {
  access: AccessRule;
  /** The parameter decorator that yields the network id. */
  networkId: () => ParameterDecorator;
  /** Documents what the door adds to every route (the network_id path parameter). */
  document: () => ClassDecorator;
}

/** `/{network_id}/…`: the network in the path, reachable by its owner and its devices. */
export const NETWORK_DOOR: NetworkDoor = {
  access: 'network',
  networkId: () => Param('network_id'),
  document: () => ApiParam({ name: 'network_id', format: 'uuid' }),
};

export interface ItemRoutesSpec<S, R, C, U, Dto> {
  /** The service the routes call, and its item operations as this version calls them. */
  service: Type<S>;
  operations: (service: S) => ItemOperations<R, C, U>;
  /** The path parameter that names one item, e.g. `person_id`. */
  idParam: string;
  createBody: Type<C>;
  updateBody: Type<U>;
  /** The answer's class in this API version, and how to build answers (several at once, for lists). */
  answer: Type<Dto>;
  toDtos: (service: S, networkId: string, records: R[]) => Dto[] | Promise<Dto[]>;
  docs: {
    get: string;
    create: { summary: string; description?: string; mayNotFind: boolean };
    /** PATCH is documented as PUT, "(same as PUT)". */
    update: { summary: string; description: string };
    delete: { summary: string; description: string };
    /** The 404 of a missing item (or of an id the body refers to). */
    notFound: ApiResponseOptions;
  };
  door?: NetworkDoor;
}

/**
 * The routes on one item of a resource, written once for every API version and door: GET, PUT, PATCH and DELETE on
 * `:{idParam}`, POST on the collection. A version's controller extends the class this returns with its own list
 * route, which is where versions really differ (`class PersonsV1Controller extends ItemRoutes({…}) { list() }`).
 */
export function ItemRoutes<S, R, C, U, Dto>(spec: ItemRoutesSpec<S, R, C, U, Dto>) {
  const door = spec.door ?? NETWORK_DOOR;
  const NetworkId = door.networkId;
  const itemId = () => Param(spec.idParam, new UuidParamPipe(spec.idParam));
  const IdParam = () => ApiParam({ name: spec.idParam, format: 'uuid' });
  const { docs } = spec;
  const ops = spec.operations;

  @Injectable()
  @door.document()
  abstract class Routes {
    constructor(@Inject(spec.service) protected readonly service: S) {}

    @Get(`:${spec.idParam}`)
    @Access(door.access)
    @IdParam()
    @ApiOperation({ summary: docs.get })
    @ApiResponse({ status: 200, type: spec.answer })
    @ApiResponse(docs.notFound)
    async get(@NetworkId() networkId: string, @itemId() id: string): Promise<Dto> {
      return this.answer(networkId, await ops(this.service).get(networkId, id));
    }

    @Post()
    @Access(door.access)
    @ApiOperation({ summary: docs.create.summary, description: docs.create.description })
    @ApiResponse({ status: 201, type: spec.answer })
    @applyDecorators(...(docs.create.mayNotFind ? [ApiResponse(docs.notFound)] : []))
    async create(@NetworkId() networkId: string, @Body() body: C): Promise<Dto> {
      return this.answer(networkId, await ops(this.service).create(networkId, body));
    }

    @Put(`:${spec.idParam}`)
    @Access(door.access)
    @IdParam()
    @ApiOperation(docs.update)
    @ApiResponse({ status: 200, type: spec.answer })
    @ApiResponse(docs.notFound)
    async update(@NetworkId() networkId: string, @itemId() id: string, @Body() body: U): Promise<Dto> {
      return this.answer(networkId, await ops(this.service).update(networkId, id, body));
    }

    @Patch(`:${spec.idParam}`)
    @Access(door.access)
    @IdParam()
    @ApiOperation({ summary: `${docs.update.summary} (same as PUT)`, description: docs.update.description })
    @ApiResponse({ status: 200, type: spec.answer })
    @ApiResponse(docs.notFound)
    patch(@NetworkId() networkId: string, @itemId() id: string, @Body() body: U): Promise<Dto> {
      return this.update(networkId, id, body);
    }

    @Delete(`:${spec.idParam}`)
    @HttpCode(204)
    @Access(door.access)
    @IdParam()
    @ApiOperation(docs.delete)
    @ApiResponse({ status: 204, description: 'Deleted (or already deleted)' })
    @ApiResponse(docs.notFound)
    async delete(@NetworkId() networkId: string, @itemId() id: string): Promise<void> {
      await ops(this.service).delete(networkId, id);
    }

    /** This version's answers for these records. */
    protected answers(networkId: string, records: R[]): Promise<Dto[]> {
      return Promise.resolve(spec.toDtos(this.service, networkId, records));
    }

    private async answer(networkId: string, record: R): Promise<Dto> {
      return (await this.answers(networkId, [record]))[0]!;
    }
  }

  // The bodies' classes are type parameters here, which the compiler records as Object: name them, so that the
  // validation pipe checks each body against its DTO and OpenAPI documents it.
  const paramTypes = (method: keyof Routes, types: unknown[]) =>
    Reflect.defineMetadata('design:paramtypes', types, Routes.prototype, method);
  paramTypes('create', [String, spec.createBody]);
  paramTypes('update', [String, String, spec.updateBody]);
  paramTypes('patch', [String, String, spec.updateBody]);
  return Routes;
}
