export * from './network.module.js';
export * from './network.service.js';
export type { Device, Network, NetworkDevices } from './network.types.js';
export { toClientInfoDto, toNetworkDto, toServiceStatusDto } from './network.mapper.js';
export * from './device-name.js';
export * from './dto/service.dto.js';
export * from './client-id.pipe.js';
