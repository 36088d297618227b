import { Controller, Delete, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ErrorResponseDto } from '@mira/core';
import { ClientIdPipe } from './client-id.pipe.js';
import { DEVICE_NAME_RULE } from './device-name.js';
import { ClientDeregisteredDto, ClientRegisteredDto } from './dto/service.dto.js';
import { toClientRegisteredDto } from './network.mapper.js';
import { NetworkService } from './network.service.js';

/**
 * Registers and revokes a network's devices, each with its own network-scoped token (the original API's
 * /service/client routes). operationIds are part of the published OpenAPI contract (clients are generated from it),
 * so these routes keep the ids they were published with.
 */
@ApiTags('service')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/service/client')
export class DeviceRegistrationController {
  constructor(private readonly networks: NetworkService) {}

  @Post('register/:client_id')
  @Access('network-owner')
  @ApiParam({ name: 'client_id', example: 'kitchen', description: `Device name: ${DEVICE_NAME_RULE}` })
  @ApiOperation({
    operationId: 'ServiceController_register',
    summary: 'Register a device and get its network-scoped token (shown once)',
  })
  @ApiResponse({ status: 201, type: ClientRegisteredDto })
  @ApiResponse({ status: 409, description: 'Already registered and not revoked', type: ErrorResponseDto })
  async register(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientRegisteredDto> {
    return toClientRegisteredDto(await this.networks.registerClient(networkId, clientId));
  }

  @Delete('deregister/:client_id')
  @Access('network-owner')
  @ApiParam({ name: 'client_id', example: 'kitchen' })
  @ApiOperation({
    operationId: 'ServiceController_deregister',
    summary: "Revoke a device's token (repeating it answers the same)",
  })
  @ApiResponse({ status: 200, type: ClientDeregisteredDto })
  async deregister(
    @Param('network_id') networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
  ): Promise<ClientDeregisteredDto> {
    await this.networks.deregisterClient(networkId, clientId);
    return { message: `${clientId} deregistered successfully`, client_id: clientId };
  }
}
