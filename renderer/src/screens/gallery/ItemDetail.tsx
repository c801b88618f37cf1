/** The gallery's detail panel: an item, its record and its actions. */
import { CloseIcon, StarIcon, TrashIcon } from '../../components/icons.js';
import { askAboutItem } from '../../commands/ask.js';
import { applyItemSettings, replayItem, restoreItem, toggleStar, trashItem } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { formatDuration } from '../../state/jobs/selectors.js';
import type { ReplayState } from '../../state/gallery/slice.js';
import { useStudioStore } from '../../state/store.js';
import type { LibraryItemDetail } from '../../../../engine/src/api/index.js';
import { ItemMedia, VideoActions } from './ItemMedia.js';
import { Lineage } from './Lineage.js';

/** The selected item: the image, every parameter of its record, and what can be done with it. */
export function ItemDetail() {
  const studio = useStudio();
  const detail = useStudioStore((state) => state.detail);
  const clear = useStudioStore((state) => state.clearSelection);
  const replay = useStudioStore((state) => (detail ? state.replays[detail.id] : undefined));
  const models = useStudioStore((state) => state.models);
  if (!detail) return null;

  return (
    <aside className="item-detail panel" aria-label="Item details">
      <div className="panel-header">
        <h2>Item #{detail.id}</h2>
        <button
          type="button"
          className="button button--icon"
          aria-label="Close details"
          title="Close (Esc)"
          onClick={clear}
        >
          <CloseIcon />
        </button>
      </div>
      {detail.status === 'loading' && <p className="muted">Loading…</p>}
      {detail.status === 'failed' && <p className="error-text">{detail.message}</p>}
      {detail.status === 'ready' && (
        <Ready
          item={detail.item}
          replay={replay}
          modelName={models?.find((model) => model.id === detail.item.modelId)?.name}
          studio={studio}
        />
      )}
    </aside>
  );
}

function Ready(props: {
  item: LibraryItemDetail;
  replay: ReplayState | undefined;
  modelName: string | undefined;
  studio: ReturnType<typeof useStudio>;
}) {
  const { item, replay, studio } = props;
  const { record } = item;
  const facts: [string, string][] = [
    ['Kind', record.mode],
    ...(record.grid?.fps
      ? ([['Length', `${record.grid.frames} latent frames at ${record.grid.fps} fps`]] as [string, string][])
      : []),
    ...(record.source
      ? ([['Source', `${record.source.path} · its last ${record.source.frames} frames as context`]] as [
          string,
          string,
        ][])
      : []),
    ['Size', item.width && item.height ? `${item.width}×${item.height} px` : 'unknown'],
    ['Ratio', record.ratio ?? '—'],
    ['Grid', record.grid ? `${record.grid.width}×${record.grid.height} tokens` : '—'],
    ['Seed', String(record.seed)],
    ['Guidance', String(record.sampling.guidance)],
    ['Temperature', String(record.sampling.temperature)],
    ['Top-k', String(record.sampling.topK)],
    ['Top-p', String(record.sampling.topP)],
    ['Decoding', record.sampling.greedy ? 'greedy' : 'sampled'],
    [
      'Tokens',
      `${record.outputTokens.toLocaleString('en')} generated, ${record.promptTokens.toLocaleString('en')} in the prompt`,
    ],
    [
      'Model',
      `${props.modelName ?? 'not installed'} · ${record.model.precision} · ${record.model.id.slice(0, 12)}…`,
    ],
    ['Provider', record.provider],
    ['Engine', record.engineVersion],
    ['Created', new Date(record.createdAt).toLocaleString('en-GB')],
  ];

  return (
    <div className="item-detail__body">
      <ItemMedia item={item} />
      <Lineage itemId={item.id} />
      <div className="item-detail__actions">
        {item.trashedAt === null ? (
          <>
            <button
              type="button"
              className="button"
              aria-pressed={item.starred}
              onClick={() => toggleStar(studio, item.id)}
            >
              <StarIcon filled={item.starred} /> {item.starred ? 'Starred' : 'Star'}
            </button>
            <button type="button" className="button" onClick={() => applyItemSettings(studio)}>
              Use these settings
            </button>
            <button
              type="button"
              className="button"
              disabled={replay?.status === 'running' || record.mode === 'understand'}
              onClick={() => void replayItem(studio, item.id)}
            >
              Regenerate exactly
            </button>
            <button
              type="button"
              className="button"
              title="Ask about this (A)"
              onClick={() => askAboutItem(studio, item.id)}
            >
              Ask about this
            </button>
            <button
              type="button"
              className="button button--danger"
              onClick={() => void trashItem(studio, item.id)}
            >
              <TrashIcon /> Move to trash
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={() => restoreItem(studio, item.id)}>
            Restore
          </button>
        )}
      </div>
      {item.trashedAt === null && <VideoActions item={item} />}
      {replay && <ReplayVerdict replay={replay} />}
      <h3 className="item-detail__label">Prompt</h3>
      <p className="item-detail__prompt">{record.prompt}</p>
      {record.negativePrompt && (
        <>
          <h3 className="item-detail__label">Negative prompt</h3>
          <p className="item-detail__prompt item-detail__prompt--muted">{record.negativePrompt}</p>
        </>
      )}
      <dl className="facts facts--dense">
        {facts.map(([name, value]) => (
          <div key={name} className="facts__row">
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function ReplayVerdict({ replay }: { replay: ReplayState }) {
  if (replay.status === 'running')
    return (
      <p className="verdict" data-verdict="running" role="status">
        Regenerating token by token…
      </p>
    );
  if (replay.status === 'failed')
    return (
      <p className="verdict" data-verdict="failed" role="status">
        Replay failed: {replay.message}
      </p>
    );
  return (
    <p className="verdict" data-verdict={replay.verdict} role="status">
      {replay.verdict === 'identical' ? (
        <>
          <strong>Identical</strong>: all {replay.tokens.toLocaleString('en')} tokens match (
          {formatDuration(replay.seconds)}).
        </>
      ) : (
        <>
          <strong>Different</strong>: token {replay.firstDifference} is not the one recorded.
        </>
      )}
    </p>
  );
}
