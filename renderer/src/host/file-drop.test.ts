import { describe, expect, it } from 'vitest';
import { droppedFiles, listenForFileDrops, type FileDrop } from './file-drop.js';

const png = { name: 'a.png', type: 'image/png' } as File;
const video = { name: 'b.mp4', type: 'video/mp4' } as File;

/** A drag event as the browser sends it to the window, with the files it carries (no DragEvent in Node). */
function drag(type: 'dragover' | 'drop', files: File[]): DragEvent {
  const dataTransfer = { files, types: ['Files'], dropEffect: 'none' };
  return Object.assign(new Event(type, { cancelable: true }), { dataTransfer }) as unknown as DragEvent;
}

/** A listener for one kind of file that, as the later listeners do, leaves a drop already taken. */
function only(kind: File, taken: File[]): FileDrop {
  return {
    wants: (event) => !event.defaultPrevented,
    pick: (event) => (event.defaultPrevented ? undefined : droppedFiles(event).find((f) => f === kind)),
    take: (file) => taken.push(file),
  };
}

describe('listenForFileDrops', () => {
  it('takes a drag it wants for a copy, and leaves one it does not', () => {
    const target = new EventTarget();
    const stop = listenForFileDrops(target, { wants: () => true, pick: () => undefined, take: () => {} });
    const wanted = drag('dragover', [png]);
    target.dispatchEvent(wanted);
    expect([wanted.defaultPrevented, wanted.dataTransfer!.dropEffect]).toEqual([true, 'copy']);
    stop();
    const after = drag('dragover', [png]);
    target.dispatchEvent(after);
    expect([after.defaultPrevented, after.dataTransfer!.dropEffect]).toEqual([false, 'none']);
  });

  it('gives the file it picks to the first listener that takes it, and marks the drop taken', () => {
    const target = new EventTarget();
    const videos: File[] = [];
    const pictures: File[] = [];
    listenForFileDrops(target, only(video, videos));
    listenForFileDrops(target, only(png, pictures));

    const both = drag('drop', [png, video]);
    target.dispatchEvent(both);
    expect([both.defaultPrevented, videos, pictures]).toEqual([true, [video], []]);

    const picture = drag('drop', [png]);
    target.dispatchEvent(picture);
    expect([picture.defaultPrevented, videos, pictures]).toEqual([true, [video], [png]]);

    const none = drag('drop', []);
    target.dispatchEvent(none);
    expect([none.defaultPrevented, videos.length, pictures.length]).toEqual([false, 1, 1]);
  });
});
