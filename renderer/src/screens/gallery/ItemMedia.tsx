/** An item's picture or video (with filmstrip), and a video's actions. */
import { useEffect, useRef, useState } from 'react';
import { VideoPlayer } from '../../components/VideoPlayer/VideoPlayer.js';
import { openExtendForItem, queueVariation } from '../../commands/video.js';
import { useStudio } from '../../host/studio.js';
import type { Filmstrip, LibraryItemDetail } from '../../../../engine/src/api/index.js';
import { ExportLinks } from './ExportLinks.js';
import './video.css';

const FILMSTRIP_FRAMES = 12;

export const isVideo = (item: { media: { ext: string } }) => item.media.ext === 'mp4';

/** The item's picture, or for a video the player with its filmstrip beneath (a frame seeks there). */
export function ItemMedia({ item }: { item: LibraryItemDetail }) {
  const studio = useStudio();
  const player = useRef<HTMLVideoElement>(null);
  const [loaded, setStrip] = useState<Filmstrip | null>(null);
  const [seconds, setSeconds] = useState(0);
  const small = (item.width ?? 0) < 256;
  const itemId = item.id;
  const video = isVideo(item);
  useEffect(() => {
    if (!video) return;
    let live = true;
    studio.client.call('videos.filmstrip', { itemId, count: FILMSTRIP_FRAMES }).then(
      (result) => live && setStrip(result),
      () => {}, // the player still plays; the strip is a convenience
    );
    return () => {
      live = false;
    };
  }, [studio, itemId, video]);
  // A strip loaded for the item shown before is not shown while this one's loads.
  const strip = loaded?.itemId === itemId ? loaded : null;

  if (!video)
    return (
      <img
        className="item-detail__image"
        data-small={small ? 'true' : undefined}
        src={studio.client.mediaUrl(item.media)}
        alt={item.prompt}
      />
    );
  const fps = item.record.grid?.fps ?? strip?.fps ?? 8;
  const current = Math.floor(seconds * fps + 1e-3);
  return (
    <>
      <VideoPlayer
        key={item.id}
        videoRef={player}
        src={studio.client.mediaUrl(item.media)}
        poster={item.thumbnail ? studio.client.mediaUrl(item.thumbnail) : undefined}
        label={`Video: ${item.prompt}`}
        fps={fps}
        frames={strip?.total}
        pixelated={small}
        onTime={setSeconds}
      />
      {strip && strip.frames.length > 0 && (
        <ol className="filmstrip" aria-label="Filmstrip">
          {strip.frames.map((frame, i) => {
            const next = strip.frames[i + 1]?.index ?? strip.total;
            const here = current >= frame.index && current < next;
            return (
              <li key={frame.index}>
                <button
                  type="button"
                  className="filmstrip__frame"
                  aria-current={here ? 'true' : undefined}
                  aria-label={`Frame ${frame.index + 1} at ${frame.seconds.toFixed(2)} s`}
                  title={`Frame ${frame.index + 1} · ${frame.seconds.toFixed(2)} s`}
                  onClick={() => {
                    const element = player.current;
                    if (!element) return;
                    element.pause();
                    // The middle of the frame, so rounding never lands on the one before.
                    element.currentTime = (frame.index + 0.5) / fps;
                  }}
                >
                  <img src={frame.image} alt="" draggable={false} />
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}

/** Extend (again) a video, a variation with a new seed, and downloads of the item (ExportLinks). */
export function VideoActions({ item }: { item: LibraryItemDetail }) {
  const studio = useStudio();
  const canVary = item.record.mode === 'image' || item.record.mode === 'video';
  return (
    <div className="item-detail__actions" aria-label="Video actions" role="group">
      {isVideo(item) && (
        <button
          type="button"
          className="button"
          onClick={() => void openExtendForItem(studio, item.id, item.prompt || `item #${item.id}`)}
        >
          {item.record.mode === 'extend' ? 'Extend again…' : 'Extend…'}
        </button>
      )}
      {canVary && item.prompt !== '' && (
        <button type="button" className="button" onClick={() => void queueVariation(studio, item)}>
          Variation
        </button>
      )}
      <ExportLinks item={item} />
    </div>
  );
}
