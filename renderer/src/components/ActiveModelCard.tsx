/** The Home screen's card: the active model, or how to import one. */
import { ImportProgress } from '../screens/models/ImportPanel.js';
import { selectRunningImport } from '../state/model-imports/slice.js';
import { selectActiveModel } from '../state/models/slice.js';
import { useStudioStore } from '../state/store.js';

/** The model generation and questions will use, or how to get one. */
export function ActiveModelCard() {
  const models = useStudioStore((state) => state.models);
  const active = useStudioStore(selectActiveModel);
  const importing = useStudioStore(selectRunningImport);
  const showScreen = useStudioStore((state) => state.showScreen);
  return (
    <section className="card" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      {active ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{active.name}</dd>
          <dt>Precision</dt>
          <dd>{active.precision}</dd>
          <dt>Decoder</dt>
          <dd>
            {active.decoder.numLayers} layers, hidden {active.decoder.hiddenSize}, vocabulary{' '}
            {active.decoder.vocabSize}
          </dd>
          <dt>Package</dt>
          <dd className="mono">{active.id.slice(0, 16)}…</dd>
        </dl>
      ) : importing?.automatic ? (
        <>
          <p className="muted">Importing the bundled model for its first use; it is ready in a moment.</p>
          <ImportProgress entry={importing} />
        </>
      ) : (
        <p className="muted">
          {models === null
            ? 'Asking the engine…'
            : `No model is loaded${models.length ? ` (${models.length} imported)` : ''}. Import or activate one on the `}
          {models !== null && (
            <button type="button" className="link-button" onClick={() => showScreen('models')}>
              Models screen
            </button>
          )}
          {models !== null && '.'}
        </p>
      )}
    </section>
  );
}
