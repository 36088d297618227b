export * from './identity.module.js';
export * from './users.service.js';
export type { User } from './identity.types.js';
export * from './password-hasher.js';
export * from './account-deletion.hook.js';
