/** An item's family in the detail panel: parents, itself and descendants. */
import { useEffect, useState } from 'react';
import { openItem } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { indexOfItem } from '../../state/gallery/selectors.js';
import { useStudioStore } from '../../state/store.js';
import type {
  LibraryItemSummary,
  Lineage as LineageData,
  Relation,
} from '../../../../engine/src/api/index.js';

const RELATION: Record<Relation, string> = {
  extension: 'extended',
  regeneration: 'regenerated',
  variation: 'varied',
};

/**
 * Where the item came from and what came of it: the chain from its root through the item to its newest
 * descendants, each a step to open; Parent and Child walk it one at a time. Hidden for an item with no family.
 */
export function Lineage({ itemId }: { itemId: number }) {
  const studio = useStudio();
  // A new item (an extension just finished) may join this chain: the gallery's version says when to look again.
  const version = useStudioStore((state) => state.version);
  const [lineage, setLineage] = useState<LineageData | null>(null);
  useEffect(() => {
    let live = true;
    studio.client.call('library.lineage', { id: itemId }).then(
      (result) => live && setLineage(result),
      () => live && setLineage(null),
    );
    return () => {
      live = false;
    };
  }, [studio, itemId, version]);

  if (!lineage || lineage.chain[lineage.index]?.id !== itemId) return null;
  if (lineage.chain.length < 2) return null;
  const { chain, index } = lineage;
  const open = (item: LibraryItemSummary) =>
    openItem(studio, item.id, indexOfItem(studio.store.getState(), item.id));
  const parent = chain[index - 1];
  const child = chain[index + 1];
  return (
    <section className="lineage" aria-label="Lineage">
      <div className="lineage__header">
        <h3 className="item-detail__label">
          Lineage · {index + 1} of {chain.length}
        </h3>
        <div className="lineage__steps">
          <button
            type="button"
            className="button button--small"
            disabled={!parent}
            onClick={() => parent && open(parent)}
          >
            ← Parent
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={!child}
            onClick={() => child && open(child)}
          >
            Child →
          </button>
        </div>
      </div>
      <ol className="lineage__chain">
        {chain.map((item, i) => (
          <li key={item.id} className="lineage__step">
            {item.parent && i > 0 && (
              <span className="lineage__relation" aria-hidden="true">
                {RELATION[item.parent.relation]} →
              </span>
            )}
            <button
              type="button"
              className="lineage__item"
              aria-current={i === index ? 'true' : undefined}
              aria-label={`#${item.id}${item.parent ? `, ${RELATION[item.parent.relation]} from #${item.parent.id}` : ''}${item.trashedAt ? ', in the trash' : ''}`}
              title={item.prompt}
              onClick={() => open(item)}
              data-trashed={item.trashedAt ? 'true' : undefined}
            >
              <img src={studio.client.mediaUrl(item.thumbnail ?? item.media)} alt="" draggable={false} />
              <span>#{item.id}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
