import { Controller, Get, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@mira/core';
import { ServiceInfoDto, ServiceStatusDto } from './dto/service.dto.js';
import { toServiceInfoDto, toServiceStatusDto } from './network.mapper.js';
import { NetworkService } from './network.service.js';

/**
 * A network's listening service (the original API's /service routes): its state and devices, and the switch that
 * makes it accept or refuse audio. operationIds keep the ids they were published with (see DeviceRegistrationController).
 */
@ApiTags('service')
@ApiParam({ name: 'network_id', format: 'uuid' })
@Controller(':network_id/service')
export class NetworkServiceController {
  constructor(private readonly networks: NetworkService) {}

  @Get('info')
  @Access('network')
  @ApiOperation({
    operationId: 'ServiceController_info',
    summary: 'Network name, whether it is enabled, and its devices with when they were last seen',
  })
  @ApiResponse({ status: 200, type: ServiceInfoDto })
  async info(@Param('network_id') networkId: string): Promise<ServiceInfoDto> {
    return toServiceInfoDto(await this.networks.info(networkId));
  }

  @Patch('enable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({ operationId: 'ServiceController_enable', summary: 'Start accepting audio in this network' })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async enable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, true);
    return toServiceStatusDto(true);
  }

  @Patch('disable')
  @HttpCode(200)
  @Access('network-owner')
  @ApiOperation({
    operationId: 'ServiceController_disable',
    summary: 'Stop accepting audio in this network (uploads answer 503 until enabled)',
  })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async disable(@Param('network_id') networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, false);
    return toServiceStatusDto(false);
  }
}
