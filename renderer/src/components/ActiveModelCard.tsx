import { selectActiveModel } from '../state/models/slice.js';
import { useStudioStore } from '../state/store.js';

/** The model generation and questions will use, or how to get one. */
export function ActiveModelCard() {
  const models = useStudioStore((state) => state.models);
  const active = useStudioStore(selectActiveModel);
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
      ) : (
        <p className="muted">
          {models === null
            ? 'Asking the engine…'
            : `No model is loaded${models.length ? ` (${models.length} imported)` : ''}. Start the studio with \`emu3 serve --model DIR\`.`}
        </p>
      )}
    </section>
  );
}
