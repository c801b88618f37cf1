/**
 * The preload bridge: an allow-list of what the page may ask of the desktop shell. Sandboxed preloads
 * must be CommonJS, hence `.cts`.
 */
// A sandboxed preload is CommonJS, so require is the only way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');

const studioDesktop = {
  platform: process.platform,
  shell: 'electron' as const,
};

export type StudioDesktop = typeof studioDesktop;

electron.contextBridge.exposeInMainWorld('studioDesktop', studioDesktop);
