/** The Settings screen: execution provider, threads and the library folder. */
import { useEffect, useState } from 'react';
import { MAX_THREADS, type ProviderSetting, type SettingsState } from '../../../../engine/src/api/index.js';
import { loadSettings, saveSettings } from '../../commands/settings.js';
import { CopyButton } from '../../components/CopyButton.js';
import { Field } from '../../components/Field.js';
import { useStudio } from '../../host/studio.js';
import { useStudioStore } from '../../state/store.js';
import { LibraryLocation } from './LibraryLocation.js';
import './settings.css';

export const PROVIDERS: { value: ProviderSetting; label: string; hint: string }[] = [
  { value: 'auto', label: 'Automatic', hint: 'The best this machine has, falling back to the CPU' },
  { value: 'webgpu', label: 'WebGPU', hint: 'Any GPU through Vulkan, D3D12 or Metal' },
  { value: 'cuda', label: 'CUDA', hint: 'NVIDIA GPUs on Linux and Windows (an optional download)' },
  { value: 'dml', label: 'DirectML', hint: 'Any GPU on Windows' },
  { value: 'cpu', label: 'CPU', hint: 'Works everywhere' },
];

export const providerName = (value: string) => PROVIDERS.find((p) => p.value === value)?.label ?? value;

/** Execution provider and threads (with what actually runs and why), and where the library lives. */
export function SettingsScreen() {
  const studio = useStudio();
  const settings = useStudioStore((state) => state.settings);
  useEffect(() => loadSettings(studio), [studio]);
  return (
    <main className="settings-screen" aria-label="Settings">
      <h1 className="visually-hidden">Settings</h1>
      {settings === null ? (
        <p className="muted">Asking the engine…</p>
      ) : (
        <>
          <div className="settings-screen__column">
            <RuntimeForm
              key={`${settings.settings.provider}/${settings.settings.threads}`}
              state={settings}
            />
          </div>
          <div className="settings-screen__column">
            <RuntimeReport state={settings} />
            <LibraryLocation state={settings} />
          </div>
        </>
      )}
    </main>
  );
}

function RuntimeForm({ state }: { state: SettingsState }) {
  const studio = useStudio();
  const [provider, setProvider] = useState(state.settings.provider);
  const [threads, setThreads] = useState(String(state.settings.threads));
  const [saving, setSaving] = useState(false);
  const threadCount = Number(threads);
  const threadsValid =
    threads.trim() !== '' && Number.isInteger(threadCount) && threadCount >= 0 && threadCount <= MAX_THREADS;
  const changed = provider !== state.settings.provider || threadCount !== state.settings.threads;
  return (
    <section className="card settings-card" aria-labelledby="runtime-heading">
      <h2 id="runtime-heading">Execution</h2>
      <form
        className="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!threadsValid) return;
          setSaving(true);
          void saveSettings(studio, { provider, threads: threadCount }).finally(() => setSaving(false));
        }}
      >
        <fieldset className="fieldset">
          <legend>Execution provider</legend>
          <div className="provider-options">
            {PROVIDERS.map((option) => (
              <label key={option.value} className="provider-option">
                <input
                  type="radio"
                  name="provider"
                  value={option.value}
                  checked={provider === option.value}
                  onChange={() => setProvider(option.value)}
                />
                <span className="provider-option__label">{option.label}</span>
                <span className="provider-option__hint">{option.hint}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <Field
          label="CPU threads"
          className="settings-form__threads"
          error={threadsValid ? undefined : `A whole number from 0 to ${MAX_THREADS}.`}
          hint={`0 lets ONNX Runtime choose (all ${state.cpuCount} cores).`}
        >
          {(control) => (
            <input
              {...control}
              type="number"
              min={0}
              max={MAX_THREADS}
              step={1}
              value={threads}
              onChange={(event) => setThreads(event.target.value)}
            />
          )}
        </Field>
        <div className="settings-form__actions">
          <button
            type="submit"
            className="button button--primary settings-form__save"
            disabled={!changed || !threadsValid || saving}
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
          <span className="field__hint">Saving reloads the active model with these.</span>
        </div>
      </form>
    </section>
  );
}

function RuntimeReport({ state }: { state: SettingsState }) {
  const { runtime } = state;
  return (
    <section className="card settings-card" aria-labelledby="running-heading">
      <h2 id="running-heading">What runs now</h2>
      {runtime.error !== null ? (
        <p className="error-text">The active model could not start: {runtime.error}</p>
      ) : runtime.provider === null ? (
        <p className="muted">No model is active, so nothing runs yet.</p>
      ) : (
        <>
          <p className="runtime-now" data-provider={runtime.provider}>
            The active model runs on <strong>{providerName(runtime.provider)}</strong>
            {state.settings.provider === 'auto' ? ', chosen automatically.' : '.'}
          </p>
          {runtime.fallbacks.length > 0 && (
            <>
              <h3 className="settings-subheading">Tried first, and why not</h3>
              <ul className="fallbacks" aria-label="Providers that could not start">
                {runtime.fallbacks.map((fallback) => (
                  <li key={fallback.provider}>
                    <strong>{providerName(fallback.provider)}</strong>: {fallback.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      <dl className="facts settings-facts">
        <dt>Models folder</dt>
        <dd className="settings-path">
          <code className="mono">{state.library.modelsDir}</code>
          <CopyButton text={state.library.modelsDir} label="models folder" />
        </dd>
      </dl>
    </section>
  );
}
