export * from './identity.module.js';
export * from './users.service.js';
export * from './user.entity.js';
export * from './refresh-token.entity.js';
export * from './password-hasher.js';
