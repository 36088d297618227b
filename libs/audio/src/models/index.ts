export * from './manifest.js';
export * from './model-fetch.js';
