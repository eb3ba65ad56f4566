// nlkit: the public entry point.
export * from './codec/index.js';
export * from './trace/index.js';
