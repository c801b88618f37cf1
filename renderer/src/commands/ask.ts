/** Ask commands: choosing what to ask about (a gallery item or a file), asking, and stopping an answer. */
import type { AskSubject, AskUpload } from '../../../engine/src/api/index.js';
import { uploadType } from '../host/engine-upload.js';
import { reportError, type Studio } from '../host/studio.js';
import { subjectOnScreen } from '../state/ask/slice.js';

/** Shows a subject on the Ask screen with its conversation. */
export function openSubject(studio: Studio, subject: AskSubject): void {
  studio.store.getState().askOpening(subject);
  studio.client.call('ask.open', { subject }).then(
    (conversation) => studio.store.getState().askOpened(conversation),
    (error: unknown) =>
      studio.store.getState().askOpenFailed(subject, error instanceof Error ? error.message : String(error)),
  );
}

/** "Ask about this" in the gallery: the item opens on the Ask screen. */
export function askAboutItem(studio: Studio, itemId: number): void {
  openSubject(studio, { kind: 'item', itemId });
  studio.store.getState().showScreen('ask');
}

export function loadUploads(studio: Studio): void {
  studio.client.call('ask.uploads', {}).then(
    (uploads) => studio.store.getState().uploadsLoaded(uploads),
    (error: unknown) => reportError(studio, error, 'Uploads'),
  );
}

/** Sends a picked or dropped file to the engine and opens it. */
export function uploadAndOpen(studio: Studio, file: File): Promise<void> {
  return openUpload(studio, file.name, () => studio.client.upload(file, file.name, uploadType(file)));
}

/** Opens on the Ask screen what `send` uploads (from the page, or a path main's own dialog returned). */
export async function openUpload(
  studio: Studio,
  name: string,
  send: () => Promise<AskUpload>,
): Promise<void> {
  const s = studio.store.getState();
  s.uploadingChanged(name);
  try {
    const upload = await send();
    studio.store.getState().uploadAdded(upload);
    openSubject(studio, { kind: 'upload', sha256: upload.sha256 });
  } catch (error) {
    reportError(studio, error, 'Upload');
  } finally {
    studio.store.getState().uploadingChanged(null);
  }
}

/** Asks the question about the subject on screen; the answer streams in through `ask.*` events. */
export async function askQuestion(studio: Studio, question: string): Promise<boolean> {
  const s = studio.store.getState();
  const subject = subjectOnScreen(s);
  const text = question.trim();
  if (!subject || text === '' || s.askPending) return false;
  s.askSending(text);
  try {
    const { askId } = await studio.client.call('ask.question', { subject, question: text });
    studio.store.getState().askSent(askId);
    return true;
  } catch (error) {
    studio.store.getState().askSendFailed(error instanceof Error ? error.message : String(error));
    return false;
  }
}

/** Stops the answer being written (Esc on the Ask screen). */
export function cancelAnswer(studio: Studio): void {
  const askId = studio.store.getState().askPending?.askId;
  if (!askId) return;
  studio.client.call('ask.cancel', { askId }).catch((error: unknown) => reportError(studio, error, 'Stop'));
}
