import { useEffect, useRef } from 'react';
import { mayBeVideo, openExtendForFile } from '../../commands/video.js';
import { useStudio } from '../../host/studio.js';
import { ExtendDialog } from './ExtendDialog.js';

/**
 * The Extend dialog, and a video file dropped anywhere on the window opening it. Only drags that carry a
 * video (or a file of no known type) are taken; anything else is left to whoever else listens.
 */
export function ExtendHost() {
  const studio = useStudio();
  useEffect(() => {
    if (!studio.client.transfer) return;
    const videoItem = (event: DragEvent) =>
      [...(event.dataTransfer?.items ?? [])].some(
        (item) => item.kind === 'file' && (item.type.startsWith('video/') || item.type === ''),
      );
    const onDragOver = (event: DragEvent) => {
      if (!videoItem(event)) return;
      event.preventDefault();
      event.dataTransfer!.dropEffect = 'copy';
    };
    const onDrop = (event: DragEvent) => {
      const file = [...(event.dataTransfer?.files ?? [])].find(mayBeVideo);
      if (!file) return;
      event.preventDefault();
      void openExtendForFile(studio, file);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [studio]);
  return <ExtendDialog />;
}

/** "Open video…": a file the user picks goes to the Extend dialog. */
export function OpenVideoButton() {
  const studio = useStudio();
  const input = useRef<HTMLInputElement>(null);
  if (!studio.client.transfer) return null;
  return (
    <>
      <button type="button" className="button button--small" onClick={() => input.current?.click()}>
        Extend a video file…
      </button>
      <input
        ref={input}
        type="file"
        accept="video/*,.mkv,.avi,.mov,.webm,.mp4,.m4v,.mpg,.mpeg,.ts,.wmv,.flv,.3gp,.ogv"
        aria-label="Video file to extend"
        hidden
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) void openExtendForFile(studio, file);
        }}
      />
    </>
  );
}
