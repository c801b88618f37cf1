/** Ask's middle column: the picture or video being asked about. */
import { useStudio } from '../../host/studio.js';
import { useStudioStore } from '../../state/store.js';

/** The picture or video being asked about, as large as fits, with what it is. */
export function AskSubjectView() {
  const studio = useStudio();
  const view = useStudioStore((state) => state.askView);

  if (view.status !== 'ready') {
    return (
      <section className="ask-subject ask-subject--empty" aria-label="Subject">
        <p className={view.status === 'failed' ? 'error-text' : 'muted'}>
          {view.status === 'empty'
            ? 'Choose a file or a gallery item to ask about.'
            : view.status === 'loading'
              ? 'Opening…'
              : view.message}
        </p>
      </section>
    );
  }

  const { conversation, subject } = view;
  const src = studio.client.mediaUrl(conversation.media);
  const label = subject.kind === 'item' ? `Item #${subject.itemId}` : 'Uploaded file';
  return (
    <section className="ask-subject" aria-label="Subject" data-kind={conversation.mediaKind}>
      <figure className="ask-subject__frame">
        {conversation.mediaKind === 'video' ? (
          <video
            className="ask-subject__media"
            src={src}
            aria-label={`${label}: ${conversation.title}`}
            controls
            muted
            loop
            autoPlay
            playsInline
          />
        ) : (
          <img className="ask-subject__media" src={src} alt={`${label}: ${conversation.title}`} />
        )}
        <figcaption className="ask-subject__caption">
          <span className="ask-subject__kind">
            {label} · {conversation.mediaKind}
          </span>
          <span className="ask-subject__title">{conversation.title}</span>
        </figcaption>
      </figure>
    </section>
  );
}
