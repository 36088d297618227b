import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  Access,
  CurrentPrincipal,
  ErrorResponseDto,
  PageQueryDto,
  pageBounds,
  type Principal,
} from '@mira/core';
import { CreateNetworkDto, NetworkDto, UpdateNetworkDto } from './dto/network.dto.js';
import { toNetworkDto } from './network.mapper.js';
import { NetworkService } from './network.service.js';

const userId = (principal: Principal) => (principal.kind === 'user' ? principal.userId : '');

@ApiTags('networks')
@Controller('networks')
export class NetworksController {
  constructor(private readonly networks: NetworkService) {}

  @Post()
  @Access('user')
  @ApiOperation({ summary: 'Create a network (household or office); you become its owner' })
  @ApiResponse({ status: 201, type: NetworkDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateNetworkDto,
  ): Promise<NetworkDto> {
    return toNetworkDto(await this.networks.create(userId(principal), body.name));
  }

  @Get()
  @Access('user')
  @ApiOperation({ summary: 'The networks you own, oldest first' })
  @ApiResponse({ status: 200, type: [NetworkDto] })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<NetworkDto[]> {
    const { limit, offset } = pageBounds(query, 100);
    return (await this.networks.listOwned(userId(principal), limit, offset)).items.map(toNetworkDto);
  }

  @Get(':network_id')
  @Access('network-owner')
  @ApiParam({ name: 'network_id', format: 'uuid' })
  @ApiOperation({ summary: 'One of your networks' })
  @ApiResponse({ status: 200, type: NetworkDto })
  async get(@Param('network_id') networkId: string): Promise<NetworkDto> {
    return toNetworkDto(await this.networks.get(networkId));
  }

  @Patch(':network_id')
  @Access('network-owner')
  @ApiParam({ name: 'network_id', format: 'uuid' })
  @ApiOperation({ summary: 'Rename a network or switch its service on or off' })
  @ApiResponse({ status: 200, type: NetworkDto })
  async update(@Param('network_id') networkId: string, @Body() body: UpdateNetworkDto): Promise<NetworkDto> {
    return toNetworkDto(await this.networks.update(networkId, body));
  }

  @Delete(':network_id')
  @HttpCode(204)
  @Access('network-owner')
  @ApiParam({ name: 'network_id', format: 'uuid' })
  @ApiOperation({
    summary:
      'Delete a network and everything in it (clients, persons, voiceprints, conversations, interactions)',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  async delete(@Param('network_id') networkId: string): Promise<void> {
    await this.networks.delete(networkId);
  }
}
