/** Ask's right column: questions, answers as they are written, the question box. */
import { useEffect, useRef, useState } from 'react';
import { MAX_QUESTION_CHARS } from '../../../../engine/src/api/index.js';
import { askQuestion, cancelAnswer } from '../../commands/ask.js';
import { useStudio } from '../../host/studio.js';
import { ASK_QUESTION_ID } from '../../shortcuts/targets.js';
import type { AskPending, AskTurn } from '../../state/ask/slice.js';
import { selectActiveModel } from '../../state/models/slice.js';
import { useStudioStore } from '../../state/store.js';

/** The conversation, the answer being written, and the box to ask the next question in. */
export function AskThread() {
  const studio = useStudio();
  const view = useStudioStore((state) => state.askView);
  const turns = useStudioStore((state) => state.askTurns);
  const pending = useStudioStore((state) => state.askPending);
  const model = useStudioStore(selectActiveModel);
  const [question, setQuestion] = useState('');
  const end = useRef<HTMLDivElement>(null);
  const ready = view.status === 'ready';

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [turns, pending?.text]);

  const submit = async () => {
    if (await askQuestion(studio, question)) setQuestion('');
  };

  return (
    <section className="ask-thread panel" aria-label="Conversation">
      <div className="panel-header">
        <h2>Conversation</h2>
        {model && <span className="ask-thread__model">{model.name}</span>}
      </div>
      <div className="ask-thread__scroll">
        {ready && turns.length === 0 && !pending && (
          <p className="muted ask-thread__empty">
            No questions yet. Each question is answered on its own, looking at the{' '}
            {view.conversation.mediaKind}.
          </p>
        )}
        <ol className="ask-thread__list" aria-label="Messages">
          {turns.map((turn) => (
            <Turn key={turn.key} turn={turn} />
          ))}
          {pending && <PendingTurns pending={pending} />}
        </ol>
        <div ref={end} />
      </div>
      <form
        className="ask-composer"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field__label" htmlFor={ASK_QUESTION_ID}>
          Question
        </label>
        <textarea
          id={ASK_QUESTION_ID}
          rows={3}
          maxLength={MAX_QUESTION_CHARS}
          value={question}
          disabled={!ready}
          placeholder={ready ? 'What colour is the circle?' : 'Choose something to ask about first'}
          aria-describedby="ask-composer-hint"
          onChange={(event) => setQuestion(event.target.value)}
          onKeyDown={(event) => {
            // Enter asks; Shift+Enter starts a new line.
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              void submit();
            }
          }}
        />
        <div className="ask-composer__actions">
          <span id="ask-composer-hint" className="field__hint">
            {model ? 'Enter asks, Shift+Enter adds a line.' : 'No model is active: activate one on Models.'}
          </span>
          {pending ? (
            <button
              type="button"
              className="button button--danger"
              aria-label="Stop the answer"
              title="Stop the answer (Esc)"
              disabled={pending.askId === null}
              onClick={() => cancelAnswer(studio)}
            >
              Stop <kbd className="button__kbd">Esc</kbd>
            </button>
          ) : (
            <button
              type="submit"
              className="button button--primary ask-composer__send"
              disabled={!ready || !question.trim()}
            >
              Ask
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function Turn({ turn }: { turn: AskTurn }) {
  const note =
    turn.state === 'cancelled'
      ? 'Stopped: not kept'
      : turn.state === 'failed'
        ? `Failed: ${turn.error ?? 'no answer'}`
        : turn.tokens !== undefined
          ? `${turn.tokens} tokens`
          : null;
  return (
    <li className="ask-turn" data-role={turn.role} data-state={turn.state}>
      <span className="visually-hidden">{turn.role === 'user' ? 'You asked:' : 'Answer:'}</span>
      <p className="ask-turn__text">{turn.text || (turn.role === 'assistant' ? '…' : '')}</p>
      {turn.role === 'assistant' && note && <span className="ask-turn__note">{note}</span>}
    </li>
  );
}

function PendingTurns({ pending }: { pending: AskPending }) {
  const waiting = pending.status !== 'streaming';
  return (
    <>
      <li className="ask-turn" data-role="user" data-state="pending">
        <span className="visually-hidden">You asked:</span>
        <p className="ask-turn__text">{pending.question}</p>
      </li>
      <li
        className="ask-turn"
        data-role="assistant"
        data-state={waiting ? 'queued' : 'streaming'}
        aria-busy="true"
      >
        <span className="visually-hidden">Answer:</span>
        <p className="ask-turn__text">
          {pending.text}
          <span className="ask-turn__caret" aria-hidden="true" />
        </p>
        <span className="ask-turn__note">{waiting ? 'Looking…' : 'Answering…'}</span>
      </li>
    </>
  );
}
