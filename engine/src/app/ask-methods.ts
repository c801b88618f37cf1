/**
 * The `ask.*` methods: questions about a library item or an uploaded file, each answered as an ask turn, an
 * interactive job of the engine's one queue (app/job-scheduler.ts), on the model that was active when
 * asked. A turn waits for the job on the model to end, but runs ahead of the generation jobs queued behind
 * it: it is short, and a question should not wait behind a queue of images. The answer streams as
 * `ask.delta` events; when it is done the question and the answer are stored together with the subject
 * (library/ask-store.ts). A cancelled or failed answer stores nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  CancelledError,
  DEFAULT_ANSWER_TOKENS,
  EngineError,
  sameSubject,
  type AskConversation,
  type AskRunning,
  type AskSubject,
  type AskUpload,
  type MediaKind,
  type MediaRef,
} from '../api/index.js';
import type { JobKindHandler, JobScheduler, RunningJob } from './job-scheduler.js';
import { defaultUnderstandingSampling } from '../generate/defaults.js';
import { understand } from '../generate/understand.js';
import { AskStore, describeSubject, mediaKindOf } from '../library/ask-store.js';
import type { Library } from '../library/library.js';
import { readSubjectFrames } from './ask-frames.js';
import type { JobEntry } from './job-queue.js';
import type { Emit, MethodImpls } from './method-impls.js';
import type { ModelRegistry } from './model-registry.js';

export type AskMethodName = 'ask.open' | 'ask.question' | 'ask.cancel' | 'ask.uploads';

type AskEntry = Extract<JobEntry, { kind: 'ask' }>;

export interface AskMethodsOptions {
  library: Library;
  models: ModelRegistry;
  emit: Emit;
}

export interface AskMethods {
  /** The ask turn as a kind of job, for the queue. */
  kind: JobKindHandler<AskEntry>;
  /** The methods, queueing turns on `jobs`. */
  methods(jobs: JobScheduler): MethodImpls<AskMethodName>;
  /** Keeps a file (already on disk, e.g. a host's upload temp) as an upload to ask about. */
  upload(path: string, name: string): Promise<AskUpload>;
}

interface SubjectMedia {
  media: MediaRef;
  mediaKind: MediaKind;
  title: string;
}

export function createAskMethods(options: AskMethodsOptions): AskMethods {
  const { library, models, emit } = options;
  const store = new AskStore(library);
  /** The answer so far of each turn being written, for `ask.open` to show. */
  const answers = new Map<string, string>();

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

  function runningFor(jobs: JobScheduler, subject: AskSubject): AskRunning | null {
    const turn = jobs
      .interactive()
      .find((e): e is AskEntry => e.kind === 'ask' && sameSubject(e.params.subject, subject));
    if (!turn || (turn.status !== 'queued' && turn.status !== 'running')) return null;
    const { jobId: askId, params, status } = turn;
    return { askId, question: params.question, text: answers.get(askId) ?? '', status };
  }

  function open(jobs: JobScheduler, subject: AskSubject): AskConversation {
    const { media, mediaKind, title } = subjectMedia(subject);
    return {
      subject,
      media,
      mediaKind,
      title,
      messages: store.messages(subject),
      running: runningFor(jobs, subject),
    };
  }

  function question(
    jobs: JobScheduler,
    params: { subject: AskSubject; question: string; maxTokens?: number | undefined },
  ): { askId: string } {
    subjectMedia(params.subject); // a subject that is not there is the request's error, not the answer's
    const lease = models.leaseActive();
    if (!lease) throw new EngineError('bad_request', 'no model is active: activate one on the Models screen');
    const askId = randomUUID();
    try {
      jobs.add(
        {
          jobId: askId,
          kind: 'ask',
          params: {
            subject: params.subject,
            question: params.question,
            maxTokens: params.maxTokens ?? DEFAULT_ANSWER_TOKENS,
          },
          status: 'queued',
          modelId: lease.model.manifest.id,
          prompt: params.question,
          createdAt: new Date().toISOString(),
        },
        lease,
      );
    } catch (error) {
      lease.release();
      throw error;
    }
    return { askId };
  }

  async function answer({ jobId: askId, params }: AskEntry, job: RunningJob): Promise<void> {
    const { subject } = params;
    const { model, signal } = job;
    answers.set(askId, '');
    try {
      const { media, mediaKind, title } = subjectMedia(subject);
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
          question: params.question,
          maxNewTokens: params.maxTokens,
          sampling: defaultUnderstandingSampling(),
          source: { path: title, sha256: media.sha256, frames: frames.length },
        },
        {
          signal,
          onText: (text) => {
            answers.set(askId, (answers.get(askId) ?? '') + text);
            emit('ask.delta', { askId, text });
          },
        },
      );
      if (signal.aborted) throw new CancelledError();
      const stored = store.addExchange(subject, params.question, result.answer, result.record);
      job.finish();
      const seconds = (performance.now() - job.started) / 1000;
      emit('ask.finished', { askId, subject, ...stored, seconds });
    } finally {
      answers.delete(askId);
    }
  }

  async function cancel(
    jobs: JobScheduler,
    askId: string,
  ): Promise<{ askId: string; status: 'cancelled' | 'finished' }> {
    if (jobs.get(askId)?.kind !== 'ask')
      throw new EngineError('not_found', `no question ${askId} is waiting or being answered`);
    // A turn that failed as it was being cancelled stored nothing either: to the caller, it is cancelled.
    return { askId, status: (await jobs.cancel(askId)) === 'finished' ? 'finished' : 'cancelled' };
  }

  return {
    kind: {
      interactive: true,
      run: answer,
      started: ({ jobId: askId, params }) =>
        emit('ask.started', { askId, subject: params.subject, question: params.question }),
      cancelled: ({ jobId: askId, params }) => emit('ask.cancelled', { askId, subject: params.subject }),
      failed: ({ jobId: askId, params }, error) =>
        emit('ask.failed', { askId, subject: params.subject, error }),
    },
    methods: (jobs) => ({
      'ask.open': ({ subject }) => open(jobs, subject),
      'ask.question': (params) => question(jobs, params),
      'ask.cancel': ({ askId }) => cancel(jobs, askId),
      'ask.uploads': ({ limit }) => store.uploads(limit),
    }),
    upload: (path, name) => store.addUpload(path, name),
  };
}
