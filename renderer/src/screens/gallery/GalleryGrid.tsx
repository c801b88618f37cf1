/** The gallery's virtualised grid of thumbnails. */
import { memo, useCallback, useEffect, useRef } from 'react';
import { StarIcon } from '../../components/icons.js';
import { VirtualGrid } from '../../components/VirtualGrid/VirtualGrid.js';
import { loadRange, openItem } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { indexOfItem, selectItemAt } from '../../state/gallery/selectors.js';
import { useStudioStore } from '../../state/store.js';

/** Smallest cell width; cells stretch to fill the row. */
const MIN_CELL = 168;

/** The windowed grid of the query's items; cells load their page as they scroll into view. */
export function GalleryGrid() {
  const studio = useStudio();
  const total = useStudioStore((state) => state.total);
  const trashed = useStudioStore((state) => state.query.trashed);
  const setColumns = useStudioStore((state) => state.setColumns);
  // Subscribed so that a new version (an invalidation) re-renders and the grid reloads what it shows.
  const version = useStudioStore((state) => state.version);
  const selectedIndex = useStudioStore((state) =>
    state.selected ? indexOfItem(state, state.selected.id) : null,
  );
  const onRange = useCallback(
    (first: number, last: number) => loadRange(studio, first, last),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [studio, version],
  );
  const renderCell = useCallback(
    (index: number, _size: number, inView: boolean) => <GalleryCard index={index} inView={inView} />,
    [],
  );

  if (total === 0)
    return (
      <div className="gallery-empty">
        <p>{trashed ? 'The trash is empty.' : 'No items match. Generated images land here.'}</p>
      </div>
    );
  return (
    <VirtualGrid
      className="gallery-grid"
      label={trashed ? 'Trash' : 'Gallery items'}
      count={total ?? 0}
      minCellWidth={MIN_CELL}
      gap={8}
      overscan={2}
      renderCell={renderCell}
      onRangeChange={onRange}
      onColumnsChange={setColumns}
      revealIndex={selectedIndex}
    />
  );
}

const GalleryCard = memo(function GalleryCard({ index, inView }: { index: number; inView: boolean }) {
  const studio = useStudio();
  const item = useStudioStore((state) => selectItemAt(state, index));
  const selected = useStudioStore(
    (state) => state.selected !== null && state.selected.id === selectItemAt(state, index)?.id,
  );
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // Keyboard focus follows the selection when it moves by arrow keys from another card.
    if (selected && document.activeElement?.classList.contains('gallery-card'))
      button.current?.focus({ preventScroll: true });
  }, [selected]);
  if (!item) return <div className="card-skeleton" aria-label="Loading" />;
  const media = item.thumbnail ?? item.media;
  const video = item.media.ext === 'mp4';
  return (
    <button
      ref={button}
      type="button"
      className="gallery-card"
      aria-pressed={selected}
      aria-label={`${item.prompt}${video ? ` (${item.kind === 'extend' ? 'extension' : 'video'})` : ''}${item.starred ? ' (starred)' : ''}`}
      title={item.prompt}
      onClick={() => openItem(studio, item.id, index)}
    >
      {/* The browser fetches a few images at a time: the ones in view go first, the overscan rows after. */}
      <img
        src={studio.client.mediaUrl(media)}
        alt=""
        decoding="async"
        fetchPriority={inView ? 'high' : 'low'}
        draggable={false}
      />
      {item.starred && (
        <span className="gallery-card__star" aria-hidden="true">
          <StarIcon filled />
        </span>
      )}
      {video && (
        <span className="gallery-card__video" aria-hidden="true">
          ▶ {item.kind === 'extend' ? 'Extension' : 'Video'}
        </span>
      )}
    </button>
  );
});
