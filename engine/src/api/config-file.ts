/** Reading a JSON file's contents with a zod schema, so that a bad file fails with one line naming it and its field. */
import type { z } from 'zod';
import { EngineError } from './errors.js';

/** Parses `json` with `schema`; the first problem becomes one line naming `label` and the field. */
export function parseConfigFile<T extends z.ZodType>(schema: T, json: unknown, label: string): z.output<T> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  // Looked up in the file itself: zod words a missing field differently for each kind of schema.
  const value = issue.path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    json,
  );
  if (value === undefined) throw new EngineError('invalid_file', `${label}: missing field ${field}`);
  throw new EngineError('invalid_file', `${label}: field ${field || '(top level)'}: ${issue.message}`);
}
