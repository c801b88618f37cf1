/**
 * The contract between Electron main and the page: which channels exist and what travels on them.
 * The sandboxed preload cannot load this file at run time (it may only `require('electron')`), so it
 * takes only the types: the lists are main's, and the preload's calls are checked against them when it
 * is built. The zod schemas below are main's: every argument the page sends is parsed with them before
 * it is used.
 */
import { z } from 'zod';
import {
  EngineError,
  ExportFormat,
  ItemId,
  MAX_UPLOAD_BYTES,
  MAX_VIDEO_UPLOAD_BYTES,
  MediaRef,
  type PickedUploadRequest,
} from '../../engine/src/api/index.js';

// How the transfer channels answer is shared with the page (engine/src/api/desktop-bridge.ts).
export type { TransferResult, TransferResults } from '../../engine/src/api/index.js';

/** What the page may ask of main (`ipcRenderer.invoke`); every other channel is refused. */
export const INVOKE_CHANNELS = [
  'dialog.openImage',
  'dialog.openVideo',
  'dialog.openFolder',
  'dialog.saveFile',
  'engine.getState',
  'upload.ask',
  'upload.video',
  'export.save',
] as const;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** What main tells the page (`webContents.send`). */
export const EVENT_CHANNELS = ['engine.state', 'menu.command'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

/** The engine process as main sees it; sent on `engine.state` whenever it changes. */
export type EngineState =
  | { state: 'starting'; attempt: number }
  | { state: 'ready'; url: string; origin: string }
  | { state: 'crashed'; code: number | null; restartInMs: number; detail: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

/** The argument of `dialog.saveFile`: only a suggested file name, never a folder. */
export const SaveFileRequest = z.strictObject({ defaultName: z.string().max(1000).optional() }).optional();
export type SaveFileRequest = NonNullable<z.infer<typeof SaveFileRequest>>;

/** A MIME type as an HTTP header carries it: it goes into one, so nothing that could break the line. */
const MimeType = z
  .string()
  .max(100)
  .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i, 'expected a MIME type');

/**
 * What `upload.ask` and `upload.video` send to the engine: the bytes of a file the page holds (dropped,
 * or chosen in a file input), or a path the user picked in one of main's open dialogs. A path that main
 * did not hand out is refused, so the page cannot make main read an arbitrary file.
 */
function uploadRequest(maxBytes: number) {
  return z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('bytes'),
      name: z.string().min(1).max(1000),
      type: MimeType,
      bytes: z.instanceof(Uint8Array).refine((bytes) => bytes.byteLength <= maxBytes, {
        message: `at most ${Math.round(maxBytes / 1024 / 1024)} MiB can be uploaded`,
      }),
    }),
    z.strictObject({
      kind: z.literal('picked'),
      path: z.string().min(1).max(4096),
    }) satisfies z.ZodType<PickedUploadRequest>,
  ]);
}
export const AskUploadRequest = uploadRequest(MAX_UPLOAD_BYTES);
export const VideoUploadRequest = uploadRequest(MAX_VIDEO_UPLOAD_BYTES);
export type UploadRequest = z.infer<typeof AskUploadRequest>;

/**
 * The argument of `export.save`: what to export, never where. A gallery video in one of the export
 * formats, or a library media file (an image) as stored; the destination comes from a save dialog.
 */
export const ExportRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('video'), itemId: ItemId, format: ExportFormat }),
  z.strictObject({ kind: z.literal('media'), media: MediaRef }),
]);
export type ExportRequest = z.infer<typeof ExportRequest>;

/**
 * Parses one argument from the page. A bad argument is a bug in the page (or a page that is not ours),
 * so it is refused with the protocol's named error before anything is done with it.
 */
export function parseIpcArgument<T>(channel: InvokeChannel, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new EngineError('bad_request', `${channel}: ${where}${issue?.message ?? 'bad argument'}`);
}
