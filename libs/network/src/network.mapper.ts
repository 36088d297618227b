import { isoUtc } from '@mira/core';
import { NetworkDto } from './dto/network.dto.js';
import { ClientInfoDto, ClientRegisteredDto, ServiceInfoDto, ServiceStatusDto } from './dto/service.dto.js';
import type { Device, Network, NetworkDevices } from './network.types.js';

export function toNetworkDto(network: Network): NetworkDto {
  return {
    id: network.id,
    name: network.name,
    owner_id: network.ownerId,
    service_enabled: network.serviceEnabled,
    retention_days:
      typeof network.settings?.['retention_days'] === 'number'
        ? (network.settings['retention_days'] as number)
        : null,
    settings: network.settings ?? {},
    created_at: isoUtc(network.createdAt),
    updated_at: isoUtc(network.updatedAt),
  };
}

export function toClientInfoDto(client: Device): ClientInfoDto {
  return {
    client_id: client.clientId,
    registered_at: isoUtc(client.registeredAt),
    last_seen_at: isoUtc(client.lastSeenAt),
    metadata: client.metadata ?? {},
  };
}

export function toClientRegisteredDto({
  device,
  token,
}: {
  device: Device;
  token: string;
}): ClientRegisteredDto {
  return {
    message: `${device.clientId} registered successfully`,
    client_id: device.clientId,
    network_id: device.networkId,
    client_token: token,
    registered_at: isoUtc(device.registeredAt),
  };
}

export function toServiceInfoDto({ network, devices, activeCount }: NetworkDevices): ServiceInfoDto {
  return {
    network_id: network.id,
    name: network.name,
    enabled: network.serviceEnabled,
    clients: devices.map(toClientInfoDto),
    client_count: devices.length,
    active_client_count: activeCount,
  };
}

/** The answer of the service switch, at both doors. */
export function toServiceStatusDto(enabled: boolean): ServiceStatusDto {
  return { message: `Service ${enabled ? 'enabled' : 'disabled'} successfully`, enabled };
}
