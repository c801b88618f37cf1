/**
 * Files dropped anywhere on the window. More than one part of the studio listens (the Extend dialog for
 * videos, Generate and the Gallery for a PNG's settings), so each says which drags it wants and which
 * dropped file it takes; a drop it takes is marked taken (`preventDefault`), and the listeners after it
 * leave a drop so marked alone. The Ask screen takes its drops on its own element, before the window.
 */

export interface FileDrop {
  /** Whether a drag over the window is one to take: it then shows the copy cursor. */
  wants(event: DragEvent): boolean;
  /** The file of a drop to take, if any. */
  pick(event: DragEvent): File | undefined;
  take(file: File): void;
}

/** The files a drop carries. */
export function droppedFiles(event: DragEvent): File[] {
  return [...(event.dataTransfer?.files ?? [])];
}

/** Listens for drops on `target` (the window) until the returned function is called: for a `useEffect`. */
export function listenForFileDrops(target: EventTarget, drop: FileDrop): () => void {
  const onDragOver = (event: Event) => {
    const drag = event as DragEvent;
    if (!drop.wants(drag)) return;
    // Taken here, or the browser would open the file in place of the studio.
    drag.preventDefault();
    if (drag.dataTransfer) drag.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (event: Event) => {
    const file = drop.pick(event as DragEvent);
    if (!file) return;
    event.preventDefault();
    drop.take(file);
  };
  target.addEventListener('dragover', onDragOver);
  target.addEventListener('drop', onDrop);
  return () => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('drop', onDrop);
  };
}
