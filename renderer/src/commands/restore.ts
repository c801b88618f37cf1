/**
 * Settings from a PNG: a PNG the studio saved carries its generation record, so dropping or opening one
 * fills the Generate form as "Use these settings" does. The file goes to the engine the way Ask's files do
 * (`/api/upload`), and the engine reads and validates its record (`library.readRecord`): the renderer never
 * parses the file itself. Anything else ends in one error toast naming the file, and changes nothing.
 */
import type { RecordSummary } from '../../../engine/src/api/index.js';
import { reportError, type Studio } from '../host/studio.js';
import { takeSettings } from './gallery.js';
import { shorten } from './toast-text.js';

/** A PNG by its declared type, or by its name where the browser gave no type. */
export function isPngFile(file: { name: string; type: string }): boolean {
  if (file.type === 'image/png') return true;
  return (file.type === '' || file.type === 'application/octet-stream') && /\.png$/i.test(file.name);
}

/** Reads the record of a dropped or opened file and, when it has one, fills the Generate form with it. */
export async function restoreSettingsFromFile(studio: Studio, file: File): Promise<void> {
  if (!isPngFile(file)) {
    const what = file.type === '' ? 'this file' : file.type;
    return fail(studio, `${file.name}: ${what} is not a PNG; only PNGs saved by Emu3 Studio carry settings.`);
  }
  try {
    const upload = await studio.client.upload(file, file.name, 'image/png');
    const { record } = await studio.client.call('library.readRecord', { upload: upload.sha256 });
    takeSettings(studio, record, restoredMessage(file.name, record));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The engine's reasons start with the file's name; a lost connection's does not.
    if (message.startsWith(`${file.name}:`)) reportError(studio, error, 'Restore settings');
    else fail(studio, `${file.name}: ${message}`);
  }
}

/** What the success toast says: the file, the prompt and the seed. */
export function restoredMessage(name: string, record: RecordSummary): string {
  const kind = record.mode === 'image' ? 'image' : 'video';
  return `Settings restored from ${name}: ${kind} “${shorten(record.prompt)}”, seed ${record.seed} locked.`;
}

function fail(studio: Studio, message: string): void {
  reportError(studio, new Error(message), 'Restore settings');
}
