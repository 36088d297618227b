import { isoUtc } from '@mira/core';
import { ClientEntity } from './client.entity.js';
import { NetworkDto } from './dto/network.dto.js';
import { ClientInfoDto } from './dto/service.dto.js';
import { NetworkEntity } from './network.entity.js';

export function toNetworkDto(network: NetworkEntity): NetworkDto {
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

export function toClientInfoDto(client: ClientEntity): ClientInfoDto {
  return {
    client_id: client.clientId,
    registered_at: isoUtc(client.registeredAt),
    last_seen_at: isoUtc(client.lastSeenAt),
    metadata: client.metadata ?? {},
  };
}
