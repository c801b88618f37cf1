/** The Models screen: the packages, the active one, importing another. */
import { useEffect } from 'react';
import { loadImports, refreshModels } from '../../commands/models.js';
import { useStudio } from '../../host/studio.js';
import { useStudioStore } from '../../state/store.js';
import { ImportPanel } from './ImportPanel.js';
import { ModelCard } from './ModelCard.js';
import './models.css';

/** The models in the library (the bundled one first), which is active, and importing another. */
export function ModelsScreen() {
  const studio = useStudio();
  const models = useStudioStore((state) => state.models);
  useEffect(() => {
    void refreshModels(studio);
    loadImports(studio);
  }, [studio]);
  const sorted = [...(models ?? [])].sort(
    (a, b) => Number(b.bundled) - Number(a.bundled) || a.name.localeCompare(b.name),
  );
  return (
    <main className="column-screen models-screen" aria-label="Models">
      <h1 className="visually-hidden">Models</h1>
      <section className="models-screen__list" aria-labelledby="models-heading">
        <h2 id="models-heading" className="models-screen__heading">
          Models in the library
        </h2>
        {models === null ? (
          <p className="muted">Asking the engine…</p>
        ) : sorted.length === 0 ? (
          <p className="muted">No model is imported yet: import a checkpoint folder.</p>
        ) : (
          <ul className="model-list" aria-label="Models">
            {sorted.map((model) => (
              <ModelCard key={model.id} model={model} />
            ))}
          </ul>
        )}
      </section>
      <ImportPanel />
    </main>
  );
}
