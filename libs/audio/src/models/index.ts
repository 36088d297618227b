export * from './checksum-record.js';
export * from './manifest.js';
export * from './model-fetch.js';
