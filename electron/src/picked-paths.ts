/**
 * The files the user picked in main's open dialogs during this run: the only paths the page may hand
 * back to main to be read. A path from the page is a claim, not a permission; it is honoured only when
 * it is, exactly, one that a native dialog returned, so a page (or a script injected into it) cannot
 * make main read `~/.ssh/id_rsa` by naming it.
 */
import { isAbsolute, normalize } from 'node:path';

/** Enough for a session's worth of opened files; the oldest are forgotten first. */
const DEFAULT_CAPACITY = 64;

export class PickedPaths {
  readonly #paths = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Records a path a native dialog returned, and hands it on; null (a cancelled dialog) passes through. */
  grant<T extends string | null>(path: T): T {
    if (path === null || !isAbsolute(path)) return path;
    const key = normalize(path);
    // Re-granting moves a path to the newest end, so a file opened often is not the one forgotten.
    this.#paths.delete(key);
    this.#paths.add(key);
    if (this.#paths.size > this.#capacity) this.#paths.delete(this.#paths.values().next().value!);
    return path;
  }

  /** Whether `path` is one the user picked: compared whole, after normalizing, never by prefix. */
  has(path: string): boolean {
    if (!isAbsolute(path) || path.includes('\0')) return false;
    return this.#paths.has(normalize(path));
  }
}
