/** The top bar's engine pill: connecting, which engine, or why not (with Retry). */
import { selectEngineSummary } from '../state/engine/selectors.js';
import { useStudioStore } from '../state/store.js';

/** The pill in the top bar: is the engine there, and which one. */
export function EngineStatus({ onRetry }: { onRetry: () => void }) {
  const status = useStudioStore((state) => state.engine.status);
  const summary = useStudioStore(selectEngineSummary);
  return (
    <div className="engine-status" data-status={status}>
      <span className="engine-status__dot" aria-hidden="true" />
      <span role="status" aria-live="polite">
        {summary}
      </span>
      {status === 'failed' && (
        <button type="button" className="button button--small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
