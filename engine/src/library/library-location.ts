/**
 * Where the library lives, when the user moved it: `library-location.json` in the studio home names the
 * folder. It cannot live in the library database (that is what it points to), and it takes effect at the next
 * start: the running engine keeps the library it opened.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../api/index.js';

export const LOCATION_FILE = 'library-location.json';

const Location = z.object({ dir: z.string().min(1) });

/** The folder the studio home's pointer names, or null when there is none (or it is unreadable). */
export function readLibraryLocation(home: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(home, LOCATION_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = Location.safeParse(JSON.parse(text));
    return parsed.success && isAbsolute(parsed.data.dir) ? parsed.data.dir : null;
  } catch {
    return null;
  }
}

/**
 * Points the next start at `dir` (created if missing); pointing it back at the studio home removes the
 * pointer. Answers the full path. `bad_request` for a relative path, `invalid_file` for a folder that cannot
 * be made or written.
 */
export function writeLibraryLocation(home: string, dir: string): string {
  const expanded = dir === '~' || dir.startsWith('~/') ? join(homedir(), dir.slice(1)) : dir;
  if (!isAbsolute(expanded)) throw new EngineError('bad_request', `${dir}: give the folder's full path`);
  const full = resolve(expanded);
  try {
    mkdirSync(full, { recursive: true });
    const probe = join(full, `.emu3-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw new EngineError(
      'invalid_file',
      `${full}: cannot be used for the library (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const pointer = join(home, LOCATION_FILE);
  if (full === resolve(home)) {
    rmSync(pointer, { force: true });
    return full;
  }
  mkdirSync(home, { recursive: true });
  const temp = `${pointer}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ dir: full })}\n`);
  renameSync(temp, pointer);
  return full;
}
