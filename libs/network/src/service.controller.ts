import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto } from '@mira/core';
import { ClientIdPipe } from './client-id.pipe.js';
import { DEVICE_NAME_RULE } from './device-name.js';
import {
  ClientDeregisteredDto,
  ClientRegisteredDto,
  ServiceInfoDto,
  ServiceStatusDto,
} from './dto/service.dto.js';
import { toClientRegisteredDto, toServiceInfoDto } from './network.mapper.js';
import { NetworkService } from './network.service.js';

/** The original API's /service routes: devices of a network and the network's on/off switch. */
@ApiTags('service')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/service')
export class ServiceController {
  constructor(private readonly networks: NetworkService) {}

  @Post('client/register/:client_id')
  @Access('network-owner')
  @ApiParam({ name: 'client_id', example: 'kitchen', description: `Device name: ${DEVICE_NAME_RULE}` })
  @ApiOperation({ summary: 'Register a device and get its network-scoped token (shown once)' })
  @ApiResponse({ status: 201, type: ClientRegisteredDto })
  @ApiResponse({ status: 409, description: 'Already registered and not revoked', type: ErrorResponseDto })
  async register(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientRegisteredDto> {
    return toClientRegisteredDto(await this.networks.registerClient(networkId, clientId));
  }

  @Delete('client/deregister/:client_id')
  @Access('network-owner')
  @ApiParam({ name: 'client_id', example: 'kitchen' })
  @ApiOperation({ summary: "Revoke a device's token (repeating it answers the same)" })
  @ApiResponse({ status: 200, type: ClientDeregisteredDto })
  async deregister(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientDeregisteredDto> {
    await this.networks.deregisterClient(networkId, clientId);
    return { message: `${clientId} deregistered successfully`, client_id: clientId };
  }

  @Get('info')
  @Access('network')
  @ApiOperation({
    summary: 'Network name, whether it is enabled, and its devices with when they were last seen',
  })
  @ApiResponse({ status: 200, type: ServiceInfoDto })
  async info(@Param('network_id') networkId: string): Promise<ServiceInfoDto> {
    return toServiceInfoDto(await this.networks.info(networkId));
  }

  @Patch('enable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({ summary: 'Start accepting audio in this network' })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async enable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, true);
    return { message: 'Service enabled successfully', enabled: true };
  }

  @Patch('disable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({ summary: 'Stop accepting audio in this network (uploads answer 503 until enabled)' })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async disable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, false);
    return { message: 'Service disabled successfully', enabled: false };
  }
}
