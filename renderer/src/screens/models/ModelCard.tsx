/** One model package on the Models screen. */
import type { FileHash, ModelSummary } from '../../../../engine/src/api/index.js';
import { activateModel } from '../../commands/models.js';
import { CopyButton } from '../../components/CopyButton.js';
import { useStudio } from '../../host/studio.js';
import { baseName, formatBytes } from './format.js';

/** One model package: what it is, whether it is active, its hashes, and the way to make it active. */
export function ModelCard({ model }: { model: ModelSummary }) {
  const studio = useStudio();
  const headingId = `model-${model.id}`;
  const { decoder } = model;
  const side = Math.round(Math.sqrt(model.imageArea));
  return (
    <li
      className="model-card panel"
      aria-labelledby={headingId}
      data-active={model.active ? 'true' : undefined}
    >
      <div className="model-card__header">
        <h3 id={headingId} className="model-card__name">
          {model.name}
        </h3>
        {model.bundled && <span className="badge">Bundled</span>}
        {model.active ? (
          <span className="badge badge--active">Active</span>
        ) : (
          <button
            type="button"
            className="button button--small model-card__activate"
            aria-label={`Activate ${model.name}`}
            onClick={() => void activateModel(studio, model.id)}
          >
            Activate
          </button>
        )}
      </div>
      <dl className="facts model-card__facts">
        <dt>Precision</dt>
        <dd>{model.precision}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(model.bytes)} in {model.files.length} files
        </dd>
        <dt>Decoder</dt>
        <dd>
          {decoder.numLayers} layers, hidden {decoder.hiddenSize}, {decoder.numHeads} heads, vocabulary{' '}
          {decoder.vocabSize.toLocaleString('en')}
        </dd>
        <dt>Pictures</dt>
        <dd>
          {side}×{side} px by default
        </dd>
        <dt>Context</dt>
        <dd>{decoder.maxPositionEmbeddings.toLocaleString('en')} tokens</dd>
        <dt>Layout</dt>
        <dd>{layoutName(model.layout)}</dd>
        <dt>Imported</dt>
        <dd>{new Date(model.createdAt).toLocaleString('en-GB')}</dd>
        <dt>Package id</dt>
        <dd className="model-card__hash">
          <code className="mono" title={model.id}>
            {model.id}
          </code>
          <CopyButton text={model.id} label={`package id of ${model.name}`} />
        </dd>
      </dl>
      <details className="model-card__files">
        <summary>Files and hashes</summary>
        <FileTable caption="Package files" files={model.files} />
        <FileTable caption="Imported from" files={model.sourceFiles} />
      </details>
    </li>
  );
}

function FileTable({ caption, files }: { caption: string; files: FileHash[] }) {
  return (
    <table className="file-table">
      <caption>{caption}</caption>
      <colgroup>
        <col className="file-table__col-name" />
        <col className="file-table__col-size" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Size</th>
          <th scope="col">SHA-256</th>
        </tr>
      </thead>
      <tbody>
        {files.map((file) => (
          <tr key={file.path}>
            <td className="file-table__name" title={file.path}>
              {baseName(file.path)}
            </td>
            <td className="file-table__size">{formatBytes(file.bytes)}</td>
            <td>
              <div className="file-table__hash">
                <code className="mono" title={file.sha256}>
                  {file.sha256}
                </code>
                <CopyButton text={file.sha256} label={`SHA-256 of ${baseName(file.path)}`} />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function layoutName(layout: ModelSummary['layout']): string {
  return layout === 'baai'
    ? 'BAAI original'
    : layout === 'hf-disk'
      ? 'transformers'
      : 'transformers (in-memory names)';
}
