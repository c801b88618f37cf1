/** Ask's left column: a file to upload, earlier uploads, gallery items. */
import { useEffect, useState, type ReactNode } from 'react';
import {
  UPLOAD_TYPES,
  sameSubject,
  type AskSubject,
  type LibraryItemSummary,
} from '../../../../engine/src/api/index.js';
import { loadUploads, openSubject, uploadAndOpen } from '../../commands/ask.js';
import { FilePicker } from '../../components/FilePicker.js';
import { reportError, useStudio } from '../../host/studio.js';
import { ASK_FILE_INPUT_ID } from '../../shortcuts/targets.js';
import { subjectOnScreen } from '../../state/ask/slice.js';
import { useStudioStore } from '../../state/store.js';

/** What the engine takes as an upload; `.mov` too, for systems that give QuickTime files no type. */
const ACCEPT = [...UPLOAD_TYPES, '.mov'].join(',');
/** Newest gallery items offered as subjects. */
const GALLERY_PICKS = 24;

/** Where a subject comes from: a file (picked or dropped), a file uploaded before, or the gallery. */
export function AskSources() {
  const studio = useStudio();
  const uploads = useStudioStore((state) => state.uploads);
  const uploading = useStudioStore((state) => state.uploading);
  const [items, setItems] = useState<LibraryItemSummary[] | null>(null);

  useEffect(() => {
    loadUploads(studio);
    studio.client.call('library.list', { limit: GALLERY_PICKS }).then(
      (page) => setItems(page.items),
      (error: unknown) => reportError(studio, error, 'Gallery'),
    );
  }, [studio]);

  return (
    <aside className="ask-screen__sources panel" aria-label="What to ask about">
      <div className="panel-header">
        <h2>Ask about</h2>
      </div>
      <div className="ask-drop">
        <p className="ask-drop__text">Drop an image or a video here, or</p>
        <FilePicker
          id={ASK_FILE_INPUT_ID}
          accept={ACCEPT}
          label="Image or video to ask about"
          disabled={uploading !== null}
          onFile={(file) => void uploadAndOpen(studio, file)}
        >
          Choose a file…
        </FilePicker>
        <p className="field__hint">PNG, JPEG, WebP, GIF, MP4, MOV or WebM, up to 512 MiB.</p>
        {uploading !== null && (
          <p className="ask-drop__status" role="status">
            Uploading {uploading}…
          </p>
        )}
      </div>

      {uploads !== null && uploads.length > 0 && (
        <section aria-labelledby="ask-files-heading">
          <h3 id="ask-files-heading" className="ask-sources__heading">
            Files
          </h3>
          <ul className="ask-files" aria-label="Uploaded files">
            {uploads.map((upload) => (
              <li key={upload.sha256}>
                <SubjectButton
                  subject={{ kind: 'upload', sha256: upload.sha256 }}
                  className="ask-files__button"
                >
                  <span className="ask-files__kind">{upload.mediaKind}</span>
                  <span className="ask-files__name">{upload.name}</span>
                </SubjectButton>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="ask-gallery-heading">
        <h3 id="ask-gallery-heading" className="ask-sources__heading">
          From the gallery
        </h3>
        {items === null ? (
          <p className="muted">Loading…</p>
        ) : items.length === 0 ? (
          <p className="muted">Nothing generated yet.</p>
        ) : (
          <ul className="ask-picks" aria-label="Gallery items to ask about">
            {items.map((item) => (
              <li key={item.id}>
                <SubjectButton
                  subject={{ kind: 'item', itemId: item.id }}
                  className="ask-picks__button"
                  label={`Item #${item.id}: ${item.prompt}`}
                  title={item.prompt}
                >
                  {still(item) ? (
                    <img src={studio.client.mediaUrl(still(item)!)} alt="" loading="lazy" />
                  ) : (
                    <span className="ask-picks__none" aria-hidden="true" />
                  )}
                  {item.kind !== 'image' && <span className="ask-picks__badge">{item.kind}</span>}
                </SubjectButton>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

/** A button that opens `subject` in Ask, marked current while that subject is the one on screen. */
function SubjectButton(props: {
  subject: AskSubject;
  className: string;
  label?: string;
  title?: string;
  children: ReactNode;
}) {
  const studio = useStudio();
  const current = useStudioStore(subjectOnScreen);
  const { subject } = props;
  return (
    <button
      type="button"
      className={props.className}
      aria-label={props.label}
      aria-current={current !== null && sameSubject(current, subject) ? 'true' : undefined}
      title={props.title}
      onClick={() => openSubject(studio, subject)}
    >
      {props.children}
    </button>
  );
}

/** A still to show for an item: its thumbnail, or the image itself (a video without a poster has none). */
function still(item: LibraryItemSummary) {
  if (item.thumbnail) return item.thumbnail;
  return ['mp4', 'mov', 'webm'].includes(item.media.ext) ? null : item.media;
}
