/** The gallery's search, filters, trash switch and count. */
import { useEffect, useState } from 'react';
import { emptyTrash, setGalleryQuery } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { OpenVideoButton } from '../extend/ExtendHost.js';
import { useStudioStore } from '../../state/store.js';
import type { GenerationMode } from '../../../../engine/src/api/index.js';

const KINDS: { value: GenerationMode | ''; label: string }[] = [
  { value: '', label: 'All kinds' },
  { value: 'image', label: 'Images' },
  { value: 'video', label: 'Videos' },
  { value: 'extend', label: 'Extensions' },
];

/** Waits this long after the last keystroke before searching: one query per pause, not per letter. */
const SEARCH_DEBOUNCE_MS = 200;

/** Search, filters, the gallery/trash switch and the count. */
export function GalleryToolbar() {
  const studio = useStudio();
  const query = useStudioStore((state) => state.query);
  const total = useStudioStore((state) => state.total);
  const models = useStudioStore((state) => state.models);
  const [search, setSearch] = useState(query.search);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    if (search === query.search) return;
    const timer = setTimeout(() => setGalleryQuery(studio, { search }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, query.search, studio]);

  return (
    <div className="gallery-toolbar" role="toolbar" aria-label="Gallery filters">
      <div className="segmented" role="group" aria-label="View">
        {[false, true].map((trashed) => (
          <button
            key={String(trashed)}
            type="button"
            className="segmented__option"
            aria-pressed={query.trashed === trashed}
            onClick={() => {
              setConfirming(false);
              setGalleryQuery(studio, { trashed });
            }}
          >
            {trashed ? 'Trash' : 'Gallery'}
          </button>
        ))}
      </div>
      <input
        type="search"
        className="gallery-toolbar__search"
        aria-label="Search prompts"
        placeholder="Search prompts…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <select
        aria-label="Kind"
        value={query.kind ?? ''}
        onChange={(event) =>
          setGalleryQuery(studio, { kind: (event.target.value || null) as GenerationMode | null })
        }
      >
        {KINDS.map((kind) => (
          <option key={kind.value} value={kind.value}>
            {kind.label}
          </option>
        ))}
      </select>
      <select
        aria-label="Model"
        value={query.model ?? ''}
        onChange={(event) => setGalleryQuery(studio, { model: event.target.value || null })}
      >
        <option value="">All models</option>
        {(models ?? []).map((model) => (
          <option key={model.id} value={model.id}>
            {model.name} ({model.id.slice(0, 8)})
          </option>
        ))}
      </select>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={query.starredOnly}
          onChange={(event) => setGalleryQuery(studio, { starredOnly: event.target.checked })}
        />
        Starred only
      </label>
      <OpenVideoButton />
      <span className="gallery-toolbar__count" aria-live="polite">
        {total === null ? 'Loading…' : `${total.toLocaleString('en')} item${total === 1 ? '' : 's'}`}
      </span>
      {query.trashed &&
        (confirming ? (
          <span className="confirm">
            Delete {total ?? 0} for good?
            <button
              type="button"
              className="button button--small button--danger"
              onClick={() => {
                setConfirming(false);
                void emptyTrash(studio);
              }}
            >
              Empty trash
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="button button--small button--danger"
            disabled={!total}
            onClick={() => setConfirming(true)}
          >
            Empty trash…
          </button>
        ))}
    </div>
  );
}
