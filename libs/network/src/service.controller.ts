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
import { NetworkService } from './network.service.js';

/** The seed's /service routes: devices of a network and the network's on/off switch. */
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
  register(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientRegisteredDto> {
    return this.networks.registerClient(networkId, clientId);
  }

  @Delete('client/deregister/:client_id')
  @Access('network-owner')
  @ApiParam({ name: 'client_id', example: 'kitchen' })
  @ApiOperation({ summary: "Revoke a device's token (repeating it answers the same)" })
  @ApiResponse({ status: 200, type: ClientDeregisteredDto })
  deregister(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientDeregisteredDto> {
    return this.networks.deregisterClient(networkId, clientId);
  }

  @Get('info')
  @Access('network')
  @ApiOperation({
    summary: 'Network name, whether it is enabled, and its devices with when they were last seen',
  })
  @ApiResponse({ status: 200, type: ServiceInfoDto })
  info(@Param('network_id') networkId: string): Promise<ServiceInfoDto> {
    return this.networks.info(networkId);
  }

  @Patch('enable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({ summary: 'Start accepting audio in this network' })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  enable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    return this.networks.setServiceEnabled(networkId, true);
  }

  @Patch('disable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({ summary: 'Stop accepting audio in this network (uploads answer 503 until enabled)' })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  disable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    return this.networks.setServiceEnabled(networkId, false);
  }
}
