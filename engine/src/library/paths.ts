/** Where the studio keeps user data: models, the library database, media. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `EMU3_HOME` when set (tests, portable installs); else the platform's per-user data folder. */
export function studioHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.EMU3_HOME) return env.EMU3_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Emu3 Studio');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Emu3 Studio');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'emu3-studio');
}

/** Imported model packages, one folder each, named by the hash of their source. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(studioHome(env), 'models');
}
