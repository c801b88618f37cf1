/**
 * What the image and the video preview share: the section, the frame the rows are painted into and the way
 * on to the finished item. One place, so the two previews keep the same shape, names and data-* attributes
 * (the e2e tests read them).
 */
import type { ReactNode } from 'react';
import { openItem } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { useStudioStore } from '../../state/store.js';

/** The Generate screen's preview region, named for screen readers. */
export function PreviewSection({ children }: { children: ReactNode }) {
  return (
    <section className="preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading" className="visually-hidden">
        Preview
      </h2>
      {children}
    </section>
  );
}

export interface PreviewFrameProps {
  /** Width over height of the result: the frame has its final shape from the start, so rows land where they belong. */
  aspect: number;
  video?: boolean;
  /** Rows decoded so far `of` the whole: the scanline marks where the next one goes. None: no scanline. */
  scanline?: { rows: number; of: number };
  /** `data-rows`, `data-status` and the like: what a test (or a curious user) reads of the progress. */
  data: Record<`data-${string}`, string | number>;
  children: ReactNode;
}

export function PreviewFrame({ aspect, video = false, scanline, data, children }: PreviewFrameProps) {
  return (
    <figure
      className={video ? 'preview__frame preview__frame--video' : 'preview__frame'}
      style={{ aspectRatio: String(aspect), ['--aspect' as string]: String(aspect) }}
      aria-label="Live preview"
      {...data}
    >
      {children}
      {scanline && (
        <div
          className="preview__scanline"
          style={{ top: `${(100 * scanline.rows) / scanline.of}%` }}
          aria-hidden="true"
        />
      )}
    </figure>
  );
}

/** Shows a finished item in the gallery, opened in its detail view. */
export function OpenInGalleryButton({ itemId }: { itemId: number }) {
  const studio = useStudio();
  const showScreen = useStudioStore((state) => state.showScreen);
  return (
    <button
      type="button"
      className="button button--small"
      onClick={() => {
        openItem(studio, itemId, 0);
        showScreen('gallery');
      }}
    >
      Open in gallery
    </button>
  );
}
