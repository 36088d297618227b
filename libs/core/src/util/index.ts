/**
 * Plain helpers with no framework behind them, importable as `@mira/core/util` where loading the whole of core
 * (Nest, TypeORM) is too heavy, such as the audio decoding worker thread.
 */
export * from './lru-cache.js';
export * from './pcm16.js';
export * from './random.js';
export * from './vectors.js';
export { AppError, type FieldError } from '../errors/app-error.js';
