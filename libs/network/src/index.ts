export * from './network.module.js';
export * from './network.service.js';
export * from './network.entity.js';
export * from './client.entity.js';
export * from './device-name.js';
export * from './dto/service.dto.js';
