/**
 * The studio's settings in the library database (table `settings`, migration 3): JSON values by key, each
 * read back through its schema, so a value a newer or older studio wrote that does not fit is ignored (the
 * default applies) rather than trusted.
 */
import type { z } from 'zod';
import { sqliteError } from './database.js';
import type { Library } from './library.js';

export class SettingsStore {
  constructor(private readonly library: Library) {}

  /** The stored value, or undefined when none is stored or it does not fit `schema`. */
  get<S extends z.ZodType>(key: string, schema: S): z.infer<S> | undefined {
    const row = this.run(() =>
      this.library.db.prepare('SELECT value FROM settings WHERE key = ?').get(key),
    ) as { value: string } | undefined;
    if (!row) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(row.value);
    } catch {
      return undefined;
    }
    const parsed = schema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }

  set(key: string, value: unknown): void {
    this.run(() =>
      this.library.db
        .prepare(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(key, JSON.stringify(value)),
    );
  }

  delete(key: string): void {
    this.run(() => this.library.db.prepare('DELETE FROM settings WHERE key = ?').run(key));
  }

  private run<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw sqliteError(error, this.library.file);
    }
  }
}
