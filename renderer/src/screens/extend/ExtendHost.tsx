/** Mounts the Extend dialog and opens it on a dropped video or from the "Open video…" button. */
import { useEffect } from 'react';
import { mayBeVideo, openExtendForFile } from '../../commands/video.js';
import { FilePicker } from '../../components/FilePicker.js';
import { droppedFiles, listenForFileDrops } from '../../host/file-drop.js';
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
    return listenForFileDrops(window, {
      wants: (event) =>
        [...(event.dataTransfer?.items ?? [])].some(
          (item) => item.kind === 'file' && (item.type.startsWith('video/') || item.type === ''),
        ),
      pick: (event) => droppedFiles(event).find(mayBeVideo),
      take: (file) => void openExtendForFile(studio, file),
    });
  }, [studio]);
  return <ExtendDialog />;
}

/** "Open video…": a file the user picks goes to the Extend dialog. */
export function OpenVideoButton() {
  const studio = useStudio();
  if (!studio.client.transfer) return null;
  return (
    <FilePicker
      accept="video/*,.mkv,.avi,.mov,.webm,.mp4,.m4v,.mpg,.mpeg,.ts,.wmv,.flv,.3gp,.ogv"
      label="Video file to extend"
      className="button button--small"
      onFile={(file) => void openExtendForFile(studio, file)}
    >
      Extend a video file…
    </FilePicker>
  );
}
