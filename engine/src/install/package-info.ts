/** Where the installed studio lives and which version it is, found from this file's own location. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../api/index.js';

const PACKAGE_NAME = 'emu3-studio';

let cachedRoot: string | undefined;

/** The folder holding the studio's package.json, whether running from `dist/` or from sources. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new InternalError(`no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function studioVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The Vite build of the renderer that the web host serves. */
export function rendererBuildDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

/** The bundled nano model (models/nano): a standard checkpoint folder, imported like any download. */
export function bundledModelDir(): string {
  return join(packageRoot(), 'models', 'nano');
}

function readPackageName(manifest: string): unknown {
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
}
