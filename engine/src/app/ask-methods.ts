/**
 * The `ask.*` methods: questions about a library item or an uploaded file, answered one at a time on the
 * model that was active when asked. The answer streams as `ask.delta` events; when it is done the question
 * and the answer are stored together with the subject (library/ask-store.ts). A cancelled or failed answer
 * stores nothing. Answers are not jobs of the generation queue: they are short, and a question should not
 * wait behind a queue of images.
 */
import { randomUUID } from 'node:crypto';
import {
  CancelledError,
  DEFAULT_ANSWER_TOKENS,
  EngineError,
  sameSubject,
  serializeError,
  type AskConversation,
  type AskRunning,
  type AskSubject,
  type AskUpload,
  type MediaKind,
  type MediaRef,
} from '../api/index.js';
import { defaultUnderstandingSampling } from '../generate/defaults.js';
import { understand } from '../generate/understand.js';
import { AskStore, describeSubject, mediaKindOf } from '../library/ask-store.js';
import type { Library } from '../library/library.js';
import { readSubjectFrames } from './ask-frames.js';
import type { Emit, MethodImpls } from './method-impls.js';
import type { ModelLease, ModelRegistry } from './model-registry.js';

export type AskMethodName = 'ask.open' | 'ask.question' | 'ask.cancel' | 'ask.uploads';

export interface AskMethodsOptions {
  library: Library;
  models: ModelRegistry;
  emit: Emit;
}

export interface AskMethods {
  methods: MethodImpls<AskMethodName>;
  /** Keeps a file (already on disk, e.g. a host's upload temp) as an upload to ask about. */
  upload(path: string, name: string): Promise<AskUpload>;
  /** Stops the answer being written and forgets the waiting ones. */
  close(): Promise<void>;
}

interface PendingAsk {
  askId: string;
  subject: AskSubject;
  question: string;
  maxTokens: number;
  lease: ModelLease;
  controller: AbortController;
  status: 'queued' | 'running';
  text: string;
  /** Settles when the ask has ended, however it ended. */
  ended: Promise<'cancelled' | 'finished'>;
  end(status: 'cancelled' | 'finished'): void;
}

interface SubjectMedia {
  media: MediaRef;
  mediaKind: MediaKind;
  title: string;
}

export function createAskMethods(options: AskMethodsOptions): AskMethods {
  const { library, models, emit } = options;
  const store = new AskStore(library);
  const pending: PendingAsk[] = [];
  let running: PendingAsk | null = null;
  let closed = false;

  function subjectMedia(subject: AskSubject): SubjectMedia {
    if (subject.kind === 'item') {
      const item = library.summary(subject.itemId);
      if (!item) throw new EngineError('not_found', `${describeSubject(subject)}: no such item`);
      return { media: item.media, mediaKind: mediaKindOf(item.media.ext), title: item.prompt };
    }
    const upload = store.upload(subject.sha256);
    if (!upload) throw new EngineError('not_found', `${describeSubject(subject)}: no such upload`);
    return { media: upload.media, mediaKind: upload.mediaKind, title: upload.name };
  }

  function runningFor(subject: AskSubject): AskRunning | null {
    const ask = pending.find((a) => sameSubject(a.subject, subject));
    return ask ? { askId: ask.askId, question: ask.question, text: ask.text, status: ask.status } : null;
  }

  function open(subject: AskSubject): AskConversation {
    const { media, mediaKind, title } = subjectMedia(subject);
    return {
      subject,
      media,
      mediaKind,
      title,
      messages: store.messages(subject),
      running: runningFor(subject),
    };
  }

  function question(params: { subject: AskSubject; question: string; maxTokens?: number | undefined }) {
    if (closed) throw new EngineError('engine_unavailable', 'the engine is shutting down');
    subjectMedia(params.subject); // a subject that is not there is the request's error, not the answer's
    const lease = models.leaseActive();
    if (!lease) throw new EngineError('bad_request', 'no model is active: activate one on the Models screen');
    let end!: PendingAsk['end'];
    const ended = new Promise<'cancelled' | 'finished'>((resolve) => (end = resolve));
    const ask: PendingAsk = {
      askId: randomUUID(),
      subject: params.subject,
      question: params.question,
      maxTokens: params.maxTokens ?? DEFAULT_ANSWER_TOKENS,
      lease,
      controller: new AbortController(),
      status: 'queued',
      text: '',
      ended,
      end,
    };
    pending.push(ask);
    // After this call's response has gone out, so the caller knows the ask id before its events.
    setImmediate(pump);
    return { askId: ask.askId };
  }

  function pump(): void {
    if (running || closed) return;
    const next = pending.find((a) => a.status === 'queued');
    if (!next) return;
    running = next;
    void answer(next).finally(() => {
      running = null;
      pump();
    });
  }

  async function answer(ask: PendingAsk): Promise<void> {
    const { askId, subject } = ask;
    const { signal } = ask.controller;
    ask.status = 'running';
    emit('ask.started', { askId, subject, question: ask.question });
    const started = performance.now();
    let outcome: 'cancelled' | 'finished' = 'cancelled';
    try {
      const { media, mediaKind, title } = subjectMedia(subject);
      const { model } = ask.lease;
      const { frames, fps } = await readSubjectFrames(
        model,
        { path: library.mediaPath(media.sha256), kind: mediaKind, label: title },
        signal,
      );
      if (signal.aborted) throw new CancelledError();
      const result = await understand(
        model,
        {
          frames,
          ...(fps ? { fps } : {}),
          question: ask.question,
          maxNewTokens: ask.maxTokens,
          sampling: defaultUnderstandingSampling(),
          source: { path: title, sha256: media.sha256, frames: frames.length },
        },
        {
          signal,
          onText: (text) => {
            ask.text += text;
            emit('ask.delta', { askId, text });
          },
        },
      );
      if (signal.aborted) throw new CancelledError();
      const stored = store.addExchange(subject, ask.question, result.answer, result.record);
      outcome = 'finished';
      emit('ask.finished', { askId, subject, ...stored, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) emit('ask.cancelled', { askId, subject });
      else emit('ask.failed', { askId, subject, error: serializeError(error) });
    } finally {
      remove(ask);
      ask.end(outcome);
    }
  }

  function remove(ask: PendingAsk): void {
    const at = pending.indexOf(ask);
    if (at >= 0) pending.splice(at, 1);
    ask.lease.release();
  }

  async function cancel(askId: string): Promise<{ askId: string; status: 'cancelled' | 'finished' }> {
    const ask = pending.find((a) => a.askId === askId);
    if (!ask) throw new EngineError('not_found', `no question ${askId} is waiting or being answered`);
    if (ask.status === 'queued') {
      remove(ask);
      ask.end('cancelled');
      emit('ask.cancelled', { askId, subject: ask.subject });
      return { askId, status: 'cancelled' };
    }
    ask.controller.abort();
    return { askId, status: await ask.ended };
  }

  return {
    methods: {
      'ask.open': ({ subject }) => open(subject),
      'ask.question': (params) => question(params),
      'ask.cancel': ({ askId }) => cancel(askId),
      'ask.uploads': ({ limit }) => store.uploads(limit),
    },
    upload: (path, name) => store.addUpload(path, name),
    async close() {
      closed = true;
      for (const ask of [...pending]) {
        if (ask === running) continue;
        remove(ask);
        ask.end('cancelled');
      }
      const current = running as PendingAsk | null;
      current?.controller.abort();
      await current?.ended;
    },
  };
}
