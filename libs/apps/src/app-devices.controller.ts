import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, AccountNetwork, ErrorResponseDto } from '@mira/core';
import {
  ClientIdPipe,
  DEVICE_NAME_RULE,
  NetworkService,
  ServiceStatusDto,
  toServiceStatusDto,
} from '@mira/network';
import { toAppDevice } from './app.mapper.js';
import { AppDeviceDto, RegisterDeviceDto, RenameDeviceDto } from './dto/app.dto.js';

const ClientIdParam = () =>
  ApiParam({ name: 'client_id', example: 'desktop-client', description: `Device name: ${DEVICE_NAME_RULE}` });

/** The shipped apps' /service routes: the account's devices and its on/off switch. */
@ApiTags('apps')
@Controller('service')
export class AppDevicesController {
  constructor(private readonly networks: NetworkService) {}

  @Post('clients')
  @Access('account-owner')
  @ApiOperation({
    summary: 'Register a device of the account (without client_id: the next free client1, client2, …)',
  })
  @ApiResponse({ status: 201, type: AppDeviceDto })
  @ApiResponse({
    status: 409,
    description: 'CLIENT_ALREADY_REGISTERED: the name is taken',
    type: ErrorResponseDto,
  })
  async register(
    @AccountNetwork() networkId: string,
    @Body() body: RegisterDeviceDto,
  ): Promise<AppDeviceDto> {
    return toAppDevice(
      await this.networks.registerDevice(networkId, body.client_id ?? null, body.metadata ?? {}),
    );
  }

  @Get('clients')
  @Access('account')
  @ApiOperation({ summary: "Names of the account's devices, oldest first" })
  @ApiResponse({ status: 200, type: [String] })
  list(@AccountNetwork() networkId: string): Promise<string[]> {
    return this.networks.deviceNames(networkId);
  }

  @Patch('clients/:client_id/rename')
  @Access('account-owner')
  @ClientIdParam()
  @ApiOperation({ summary: 'Rename a device (its history stays with it)' })
  @ApiResponse({ status: 200, type: AppDeviceDto })
  @ApiResponse({ status: 404, description: 'CLIENT_NOT_FOUND', type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    description: 'CLIENT_ALREADY_REGISTERED: the new name is taken',
    type: ErrorResponseDto,
  })
  async rename(
    @AccountNetwork() networkId: string,
    @Param('client_id', ClientIdPipe) clientId: string,
    @Body() body: RenameDeviceDto,
  ): Promise<AppDeviceDto> {
    return toAppDevice(await this.networks.renameDevice(networkId, clientId, body.new_client_id));
  }

  @Delete('clients/:client_id')
  @HttpCode(204)
  @Access('account-owner')
  @ClientIdParam()
  @ApiOperation({
    summary: 'Remove a device (repeating it answers 204 again; a name never registered is a 404)',
  })
  @ApiResponse({ status: 204, description: 'Removed (or already removed)' })
  @ApiResponse({ status: 404, description: 'CLIENT_NOT_FOUND', type: ErrorResponseDto })
  async remove(@AccountNetwork() networkId: string, @Param('client_id', ClientIdPipe) clientId: string) {
    await this.networks.deregisterClient(networkId, clientId);
  }

  @Patch('network/enable')
  @HttpCode(200)
  @Access('account-owner')
  @ApiOperation({
    summary:
      "Switch the account's assistant on (the apps start their microphones on the service_status event)",
  })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async enable(@AccountNetwork() networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, true);
    return toServiceStatusDto(true);
  }

  @Patch('network/disable')
  @HttpCode(200)
  @Access('account-owner')
  @ApiOperation({ summary: "Switch the account's assistant off (uploads answer 503 until it is on again)" })
  @ApiResponse({ status: 200, type: ServiceStatusDto })
  async disable(@AccountNetwork() networkId: string): Promise<ServiceStatusDto> {
    await this.networks.setServiceEnabled(networkId, false);
    return toServiceStatusDto(false);
  }
}
