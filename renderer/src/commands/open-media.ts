/**
 * The desktop menu's "Open image/video…": main shows its open dialog and hands the page the path. A video
 * opens in the Extend dialog (the gallery's "Extend a video file…"); a picture on the Ask screen.
 */
import type { PickedUploads } from '../host/desktop.js';
import type { Studio } from '../host/studio.js';
import { openUpload } from './ask.js';
import { mayBeVideo, openExtendUpload } from './video.js';

export async function openPickedMedia(studio: Studio, path: string, uploads: PickedUploads): Promise<void> {
  const name = path.split(/[\\/]/).pop() || path;
  const s = studio.store.getState();
  if (mayBeVideo({ name, type: '' })) {
    s.extendLoading(name);
    return openExtendUpload(studio, name, () => uploads.video(path));
  }
  s.showScreen('ask');
  return openUpload(studio, name, () => uploads.ask(path));
}
