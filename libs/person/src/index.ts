export * from './person.module.js';
export * from './person.service.js';
export * from './person.hooks.js';
export * from './person.types.js';
export * from './person.errors.js';
export { personDisplayName, toPersonDto } from './person.mapper.js';
export { PersonDto } from './dto/person.dto.js';
