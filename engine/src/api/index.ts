/**
 * The one protocol between the renderer and the engine, carried by the web host's WebSocket in a browser and
 * in the desktop window alike; Electron main uses its types and errors for its own few channels.
 * Plain TypeScript and zod only: this folder compiles without Node or DOM types.
 */
export * from './errors.js';
export * from './file-records.js';
export * from './generation.js';
export * from './library.js';
export * from './protocol.js';
export * from './system.js';
export * from './video.js';
export * from './ask.js';
export * from './models.js';
export * from './settings.js';
export * from './frames.js';
export * from './config-file.js';
export * from './desktop-bridge.js';
export * from './uploads.js';
