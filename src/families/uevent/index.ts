export * from './udev.js';
export * from './reader.js';
