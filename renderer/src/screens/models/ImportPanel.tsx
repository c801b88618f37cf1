/** Importing a checkpoint folder, with its progress. */
import { useState } from 'react';
import type { ImportPrecision, ModelImport } from '../../../../engine/src/api/index.js';
import { startImport } from '../../commands/models.js';
import { Field } from '../../components/Field.js';
import { PathInput } from '../../components/PathInput.js';
import { folderPicker } from '../../host/desktop.js';
import { useStudio } from '../../host/studio.js';
import { IMPORT_PATH_FOCUS } from '../../shortcuts/targets.js';
import { selectLastUserImport, selectRunningImport } from '../../state/model-imports/slice.js';
import { useStudioStore } from '../../state/store.js';

const PRECISIONS: { value: ImportPrecision; label: string }[] = [
  { value: 'auto', label: 'Automatic' },
  { value: 'fp32', label: 'fp32 (exact)' },
  { value: 'fp16', label: 'fp16 (half size, for GPUs)' },
  { value: 'int8', label: 'int8 (quarter size)' },
  { value: 'int4', label: 'int4 (eighth size)' },
];

export const PHASE_NAMES: Record<NonNullable<ModelImport['phase']>, string> = {
  hash: 'Hashing the checkpoint',
  tokenizer: 'Copying the tokenizer',
  decoder: 'Writing the decoder',
  vq_encoder: 'Writing the vision encoder',
  vq_decoder: 'Writing the vision decoder',
  finish: 'Finishing',
};

/** Import a checkpoint folder: its path (or the desktop's folder picker), a precision, and progress. */
export function ImportPanel() {
  const studio = useStudio();
  const running = useStudioStore(selectRunningImport);
  const last = useStudioStore(selectLastUserImport);
  const [path, setPath] = useState('');
  const [precision, setPrecision] = useState<ImportPrecision>('auto');
  const [activate, setActivate] = useState(true);
  const [refusal, setRefusal] = useState<string | null>(null);
  const pick = folderPicker();

  const submit = async () => {
    if (!path.trim()) return setRefusal('Give the checkpoint folder first.');
    setRefusal(null);
    setRefusal(await startImport(studio, path.trim(), precision, activate));
  };

  return (
    <section className="import-panel panel" aria-labelledby="import-heading">
      <div className="panel-header">
        <h2 id="import-heading">Import a checkpoint</h2>
      </div>
      <form
        className="import-panel__form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field
          label="Checkpoint folder"
          error={refusal ?? undefined}
          hint="The folder with config.json, the safetensors files and the tokenizer files, as a full path."
        >
          {(control) => (
            <div className="import-panel__path">
              <PathInput
                {...control}
                data-focus={IMPORT_PATH_FOCUS}
                placeholder="/home/me/models/Emu3-Gen-hf"
                value={path}
                onChange={(event) => setPath(event.target.value)}
              />
              {pick && (
                <button
                  type="button"
                  className="button"
                  onClick={() => void pick().then((picked) => picked && setPath(picked))}
                >
                  Browse…
                </button>
              )}
            </div>
          )}
        </Field>
        <Field
          label="Precision"
          hint="Automatic is fp32, or int4 for models above a billion parameters (Emu3-8B)."
        >
          {(control) => (
            <select
              {...control}
              value={precision}
              onChange={(event) => setPrecision(event.target.value as ImportPrecision)}
            >
              {PRECISIONS.map(({ value, label }) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={activate} onChange={(event) => setActivate(event.target.checked)} />
          Make it the active model when imported
        </label>
        <button type="submit" className="button button--primary" disabled={running !== null}>
          Import
        </button>
      </form>
      {running ? <ImportProgress entry={running} /> : last && <ImportOutcome entry={last} />}
    </section>
  );
}

export function ImportProgress({ entry }: { entry: ModelImport }) {
  const percent = Math.round(entry.fraction * 100);
  return (
    <div className="import-progress" data-status={entry.status}>
      <div className="import-progress__label">
        <span>{entry.phase ? PHASE_NAMES[entry.phase] : 'Starting'}…</span>
        <span>{percent}%</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`Importing ${folderName(entry.path)}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <p className="import-progress__path mono" title={entry.path}>
        {entry.path}
      </p>
    </div>
  );
}

function ImportOutcome({ entry }: { entry: ModelImport }) {
  if (entry.status === 'failed')
    return (
      <p className="import-outcome error-text" role="alert" data-status="failed">
        Import of {folderName(entry.path)} failed: {entry.error?.message ?? 'unknown error'}
      </p>
    );
  return (
    <p className="import-outcome" role="status" data-status="finished">
      {entry.reused ? 'Already imported' : 'Imported'}: {folderName(entry.path)}
      {entry.activate ? ', now the active model.' : '.'}
    </p>
  );
}

function folderName(path: string): string {
  return path.split(/[/\\]/).filter(Boolean).pop() ?? path;
}
