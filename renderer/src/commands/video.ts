/**
 * Video commands: opening the Extend dialog on a gallery video or on a file the user opened or dropped,
 * queueing the extension, and variations of an item with a new seed.
 */
import {
  MAX_VIDEO_UPLOAD_BYTES,
  type LibraryItemDetail,
  type RecordSummary,
  type VideoSourceInfo,
} from '../../../engine/src/api/index.js';
import { EngineCallError } from '../host/engine-client.js';
import { reportError, type Studio } from '../host/studio.js';
import { buildExtension } from '../state/extend/slice.js';
import { randomSeed } from '../state/generate/form.js';
import { shorten } from './toast-text.js';

/** Whether a dropped or chosen file may be a video (ffmpeg decides for good; some types get no MIME type). */
export function mayBeVideo(file: { name: string; type: string }): boolean {
  if (file.type.startsWith('video/')) return true;
  if (file.type !== '' && file.type !== 'application/octet-stream') return false;
  return /\.(mp4|m4v|mov|mkv|webm|avi|wmv|flv|mpg|mpeg|ts|mts|m2ts|3gp|ogv|gif)$/i.test(file.name);
}

/** "Extend…" on a gallery video: the dialog opens and shows the video's last frame and the crop. */
export async function openExtendForItem(studio: Studio, itemId: number, name: string): Promise<void> {
  const s = studio.store.getState();
  s.extendLoading(name);
  try {
    const info = await studio.client.call('videos.source', { source: { kind: 'item', itemId } });
    studio.store.getState().extendReady(info);
  } catch (error) {
    studio.store.getState().extendFailed(name, messageOf(error));
  }
}

/** A file the user opened or dropped: uploaded with progress; a file that is not a video ends in one line. */
export async function openExtendForFile(studio: Studio, file: File): Promise<void> {
  const s = studio.store.getState();
  const transfer = studio.client.transfer;
  if (!transfer) return void s.extendFailed(file.name, 'This window cannot upload files to the engine.');
  // Refused before a byte is sent.
  if (file.size > MAX_VIDEO_UPLOAD_BYTES)
    return void s.extendFailed(
      file.name,
      `${file.name}: larger than the ${MAX_VIDEO_UPLOAD_BYTES / 1024 / 1024} MiB a video upload may be.`,
    );
  if (!mayBeVideo(file))
    return void s.extendFailed(
      file.name,
      `${file.name}: ${file.type || 'this type of file'} is not a video.`,
    );
  s.extendUploading(file.name, 0, file.size);
  await openExtendUpload(studio, file.name, () =>
    transfer.uploadVideo(file, ({ loaded, total }) => {
      if (studio.store.getState().extendDialog?.status === 'uploading')
        studio.store.getState().extendUploading(file.name, loaded, total);
    }),
  );
}

/**
 * Fills the Extend dialog, already showing the upload or the reading, with what `send` uploads: a file the
 * page holds, or a path main's own open dialog returned (the desktop menu's "Open image/video…").
 */
export async function openExtendUpload(
  studio: Studio,
  name: string,
  send: () => Promise<VideoSourceInfo>,
): Promise<void> {
  try {
    const info = await send();
    // Closed while it uploaded: the engine need not keep it.
    const status = studio.store.getState().extendDialog?.status;
    if (status !== 'uploading' && status !== 'loading') return void discardUpload(studio, info.source);
    studio.store.getState().extendReady(info);
  } catch (error) {
    studio.store.getState().extendFailed(name, messageOf(error));
  }
}

/** Queues the extension the dialog describes, then shows it filling in on the Generate screen. */
export async function queueExtension(studio: Studio): Promise<void> {
  const dialog = studio.store.getState().extendDialog;
  if (dialog?.status !== 'ready' || dialog.queuing) return;
  const built = buildExtension(dialog.info, dialog.form);
  if (!built.ok) return studio.store.getState().extendQueuing(false, null, built.errors);
  studio.store.getState().extendQueuing(true);
  try {
    await studio.client.call('jobs.extend', built.params);
    const s = studio.store.getState();
    s.closeExtend();
    s.showScreen('generate');
    s.pushToast({ tone: 'info', message: `Extension of “${shorten(dialog.info.name)}” queued.` });
  } catch (error) {
    studio.store.getState().extendQueuing(false, messageOf(error));
  }
}

/** Closes the dialog; an upload nobody extended is forgotten by the engine. */
export function closeExtend(studio: Studio): void {
  const dialog = studio.store.getState().extendDialog;
  studio.store.getState().closeExtend();
  if (dialog?.status === 'ready') discardUpload(studio, dialog.info.source);
}

function discardUpload(studio: Studio, source: { kind: string; uploadId?: string }): void {
  if (source.kind !== 'upload' || !source.uploadId) return;
  studio.client.call('uploads.discard', { uploadId: source.uploadId }).catch(() => {});
}

/** "Variation": the item's settings with a new seed, joined to it in the lineage. */
export async function queueVariation(studio: Studio, item: LibraryItemDetail): Promise<void> {
  const params = variationParams(item.record, item.id, randomSeed());
  try {
    if ('frames' in params) await studio.client.call('jobs.generateVideo', params);
    else await studio.client.call('jobs.generateImage', params);
    studio.store.getState().pushToast({ tone: 'info', message: `Variation of item #${item.id} queued.` });
  } catch (error) {
    reportError(studio, error, 'Variation');
  }
}

export function variationParams(record: RecordSummary, itemId: number, seed: number) {
  const base = {
    prompt: record.prompt,
    ...(record.negativePrompt ? { negativePrompt: record.negativePrompt } : {}),
    ratio: record.ratio ?? '1:1',
    ...(record.area !== undefined ? { area: record.area } : {}),
    sampling: record.sampling,
    seed,
    parent: { itemId, relation: 'variation' as const },
  };
  return record.mode === 'video' && record.grid?.fps
    ? { ...base, frames: record.grid.frames, fps: record.grid.fps }
    : base;
}

function messageOf(error: unknown): string {
  if (error instanceof EngineCallError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
