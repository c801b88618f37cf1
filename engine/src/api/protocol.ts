/**
 * The engine protocol: the envelope of every message, the METHOD MAP (params and result of each method)
 * and the EVENT MAP (data of each event). Hosts carry the envelopes (the web host over a WebSocket at
 * `/api/ws`); the engine validates every request's params and its own results and events with these
 * schemas. The renderer imports this folder too (types, limits and schemas), so it stays plain data and zod.
 *
 *   client → engine  {type: 'request', id, method, params}
 *   engine → client  {type: 'response', id, result} | {type: 'error', id, error} | {type: 'event', event, data}
 *
 * An `error` whose request could not be read (bad JSON, no id) has `id: null`.
 */
import { z } from 'zod';
import { AskEvents, AskMethods } from './ask.js';
import { SerializedError } from './errors.js';
import { FileRecordMethods } from './file-records.js';
import { MAX_PROMPT_CHARS, RATIO_PATTERN, RecordSummary, SamplingParams } from './generation.js';
import {
  ItemId,
  LibraryItemDetail,
  MediaRef,
  Relation,
  LibraryItemSummary,
  LibraryListParams,
  LibraryPage,
  ReplayVerdict,
} from './library.js';
import { FileHash, ModelImportEvents, ModelImportMethods } from './models.js';
import { SettingsEvents, SettingsMethods } from './settings.js';
import { EngineInfo } from './system.js';
import { ExtendParams, VideoLength, VideoMethods } from './video.js';

//#region Envelope

export const RequestId = z.union([z.number().int().nonnegative(), z.string().min(1).max(128)]);
export type RequestId = z.infer<typeof RequestId>;

export const RequestMessage = z.object({
  type: z.literal('request'),
  id: RequestId,
  method: z.string().min(1).max(100),
  /** Omitted for methods without params: read as `{}`. */
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export const ResponseMessage = z.object({ type: z.literal('response'), id: RequestId, result: z.unknown() });
export type ResponseMessage = z.infer<typeof ResponseMessage>;

export const ErrorMessage = z.object({
  type: z.literal('error'),
  id: RequestId.nullable(),
  error: SerializedError,
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const EventMessage = z.object({ type: z.literal('event'), event: z.string(), data: z.unknown() });
export type EventMessage = z.infer<typeof EventMessage>;

export const ServerMessage = z.discriminatedUnion('type', [ResponseMessage, ErrorMessage, EventMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;

//#endregion

//#region Shared shapes

/** A model package's id: the sha256 in its manifest. */
export const ModelId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a model id (64 hex digits)');
export const JobId = z.string().min(1).max(128);

export const ModelSummary = z.object({
  id: ModelId,
  /** The source checkpoint's folder name, as a label. */
  name: z.string(),
  dir: z.string(),
  layout: z.enum(['baai', 'hf-disk', 'hf-memory']),
  precision: z.enum(['fp32', 'fp16', 'int8', 'int4']),
  createdAt: z.string(),
  /** The model's default image area in pixels. */
  imageArea: z.number().int().positive(),
  /** Video frames per latent frame: what a video's length in latent frames comes to (its vision tokenizer's). */
  temporalFactor: z.number().int().positive(),
  decoder: z.object({
    numLayers: z.number().int().positive(),
    hiddenSize: z.number().int().positive(),
    numHeads: z.number().int().positive(),
    vocabSize: z.number().int().positive(),
    maxPositionEmbeddings: z.number().int().positive(),
  }),
  active: z.boolean(),
  /** What a generation samples with when a request leaves a value out. */
  generationDefaults: SamplingParams,
  /** The bundled nano model (models/nano), imported from the studio's own folder. */
  bundled: z.boolean(),
  /** The package's size on disk, and its files with their hashes (from the manifest). */
  bytes: z.number().int().nonnegative(),
  files: z.array(FileHash),
  /** The checkpoint files it was imported from, with their hashes. */
  sourceFiles: z.array(FileHash),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const JobStatus = z.enum(['queued', 'running', 'finished', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const GenerateImageParams = z.strictObject({
  prompt: z.string().min(1).max(MAX_PROMPT_CHARS),
  /** Default: the reference's negative prompt. Ignored when guidance is 1. */
  negativePrompt: z.string().max(MAX_PROMPT_CHARS).optional(),
  ratio: z.string().regex(RATIO_PATTERN, 'expected "W:H", e.g. "16:9"'),
  /** Image area in pixels; default: the model's. */
  area: z.number().int().positive().optional(),
  /** Overrides of the model's default sampling. */
  sampling: z.strictObject(SamplingParams.partial().shape).optional(),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /** The gallery item this one remakes (lineage): the same seed is a regeneration, a new one a variation. */
  parent: z.strictObject({ itemId: ItemId, relation: Relation.exclude(['extension']) }).optional(),
});
export type GenerateImageParams = z.infer<typeof GenerateImageParams>;

/** Text to video: the image request plus a length in latent frames and a frame rate (api/video.ts). */
export const GenerateVideoParams = GenerateImageParams.extend(VideoLength.shape);
export type GenerateVideoParams = z.infer<typeof GenerateVideoParams>;

export const JobProgress = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  tokensPerSecond: z.number().nonnegative(),
  /** Estimated from the speed so far; null until a few tokens are done. */
  secondsLeft: z.number().nonnegative().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/**
 * `image`: text to image, saved to the library; `replay`: a library item regenerated and compared token for
 * token; `video`: text to video; `extend`: more frames after a video's last ones (both saved as MP4s).
 */
export const JobKind = z.enum(['image', 'replay', 'video', 'extend']);
export type JobKind = z.infer<typeof JobKind>;

export const ReplayParams = z.strictObject({ itemId: ItemId });

export const JobSummary = z.object({
  jobId: JobId,
  kind: JobKind,
  status: JobStatus,
  modelId: ModelId,
  prompt: z.string(),
  /** The token grid being generated (rows × columns), when known before the job runs. */
  grid: z
    .object({
      height: z.number().int().positive(),
      width: z.number().int().positive(),
      /** A video's latent frames to generate (an extension's new ones), and its rate. */
      frames: z.number().int().positive().optional(),
      fps: z.number().positive().optional(),
    })
    .optional(),
  /** A replay's item, or the item a finished image job was saved as. */
  itemId: ItemId.optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  progress: JobProgress.optional(),
  /** Why a failed job failed. */
  error: SerializedError.optional(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const PngDataUrl = z.string().startsWith('data:image/png;base64,');

export const EngineStatus = z.object({
  activeModelId: ModelId.nullable(),
  runningJobId: JobId.nullable(),
  queuedJobs: z.number().int().nonnegative(),
  /** A paused queue finishes the running job and starts no other until it is resumed. */
  paused: z.boolean(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

//#endregion

//#region Methods

const NoParams = z.strictObject({});

/** Every method: its params and its result. Names are `area.verb`. */
export const Methods = {
  ...AskMethods,
  ...ModelImportMethods,
  ...SettingsMethods,
  'system.info': { params: NoParams, result: EngineInfo },
  'system.status': { params: NoParams, result: EngineStatus },
  /** The packages in the library's models folder (and the active one, wherever it is). */
  'models.list': { params: NoParams, result: z.array(ModelSummary) },
  /** Makes a listed model the one new jobs run on; jobs already queued keep theirs. */
  'models.activate': { params: z.strictObject({ id: ModelId }), result: ModelSummary },
  /** Queues a text-to-image job on the active model; its outcome arrives as `job.*` events. */
  'jobs.generateImage': { params: GenerateImageParams, result: z.object({ jobId: JobId }) },
  /** Queues a text-to-video job on the active model; saved as an MP4 with a poster. */
  'jobs.generateVideo': { params: GenerateVideoParams, result: z.object({ jobId: JobId }) },
  /** Queues an extension of a gallery video or an uploaded file; the result joins its source's lineage. */
  'jobs.extend': { params: ExtendParams, result: z.object({ jobId: JobId }) },
  /**
   * A queued job is removed; a running one stops within a step. Answers once the job has stopped,
   * with its final status (`finished` when it completed first).
   */
  'jobs.cancel': {
    params: z.strictObject({ jobId: JobId }),
    result: z.object({ jobId: JobId, status: JobStatus }),
  },
  /** Oldest first: the queued and running jobs, and the last ones that ended. */
  'jobs.list': { params: NoParams, result: z.array(JobSummary) },
  /**
   * Queues a token-exact replay of a library item on the model that made it; the verdict arrives as
   * `job.replayed`.
   */
  'jobs.replay': { params: ReplayParams, result: z.object({ jobId: JobId }) },
  'jobs.pause': { params: NoParams, result: EngineStatus },
  'jobs.resume': { params: NoParams, result: EngineStatus },
  /** Moves a queued job to `index` among the queued jobs (0 runs next); answers the queued ids in order. */
  'jobs.move': {
    params: z.strictObject({ jobId: JobId, index: z.number().int().nonnegative() }),
    result: z.object({ queued: z.array(JobId) }),
  },
  /** A page of the gallery (or the trash), newest first. */
  'library.list': { params: LibraryListParams, result: LibraryPage },
  'library.get': { params: z.strictObject({ id: ItemId }), result: LibraryItemDetail },
  'library.star': {
    params: z.strictObject({ id: ItemId, starred: z.boolean() }),
    result: LibraryItemSummary,
  },
  /** Moves an item to the trash; nothing is deleted until the trash is emptied. */
  'library.trash': { params: z.strictObject({ id: ItemId }), result: LibraryItemSummary },
  'library.restore': { params: z.strictObject({ id: ItemId }), result: LibraryItemSummary },
  /** Deletes every trashed item and the media no other item uses. */
  'library.emptyTrash': {
    params: NoParams,
    result: z.object({ removed: z.number().int().nonnegative() }),
  },
  ...VideoMethods,
  ...FileRecordMethods,
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

export type MethodName = keyof typeof Methods;
/** What a caller sends. */
export type MethodParams<M extends MethodName> = z.input<(typeof Methods)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof Methods)[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(Methods, name);
}

//#endregion

//#region Events

/** Progress events (`job.progress`, `models.importProgress`) go out at most this often. */
export const PROGRESS_INTERVAL_MS = 100;

/** Every event and its data. Names are `area.happening`. */
export const Events = {
  ...AskEvents,
  ...ModelImportEvents,
  ...SettingsEvents,
  /** A job joined the queue (from any client, or restored at start). */
  'job.queued': JobSummary,
  'job.started': z.object({ jobId: JobId }),
  /** At most every 100 ms, and always for the first and the last token. */
  'job.progress': JobProgress.extend({ jobId: JobId }),
  /** The rows of the image done so far, decoded; for a video, the rows of latent frame `frame` (from 0). */
  'job.preview': z.object({
    jobId: JobId,
    rows: z.number().int().positive(),
    image: PngDataUrl,
    frame: z.number().int().nonnegative().optional(),
  }),
  'job.finished': z.object({
    jobId: JobId,
    record: RecordSummary,
    image: PngDataUrl,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    seconds: z.number().nonnegative(),
    /** The library item it was saved as (announced just before by `library.itemAdded`). */
    itemId: ItemId,
    /** A video's MP4 (`image` is then its poster). */
    media: MediaRef.optional(),
  }),
  'job.replayed': z.object({
    jobId: JobId,
    itemId: ItemId,
    verdict: ReplayVerdict,
    /** Output tokens compared. */
    tokens: z.number().int().nonnegative(),
    /** Index of the first output token that differs; null when identical. */
    firstDifference: z.number().int().nonnegative().nullable(),
    seconds: z.number().nonnegative(),
  }),
  'job.failed': z.object({ jobId: JobId, error: SerializedError }),
  /** Cancelled by the user: not a failure. */
  'job.cancelled': z.object({ jobId: JobId }),
  /** The queued jobs' new order after `jobs.move`. */
  'jobs.reordered': z.object({ queued: z.array(JobId) }),
  'engine.status': EngineStatus,
  'library.itemAdded': z.object({ item: LibraryItemSummary }),
  /** Starred, unstarred, trashed or restored. */
  'library.itemChanged': z.object({ item: LibraryItemSummary }),
  'library.trashEmptied': z.object({ removed: z.number().int().nonnegative() }),
} as const satisfies Record<string, z.ZodType>;

export type EventName = keyof typeof Events;
export type EventData<E extends EventName> = z.infer<(typeof Events)[E]>;
/** One event as it travels, typed by its name. */
export type EngineEvent = { [E in EventName]: { type: 'event'; event: E; data: EventData<E> } }[EventName];

//#endregion

/** The first problems of a failed parse as one line: `params.prompt: Invalid input: expected string, …`. */
export function describeIssues(error: z.ZodError, root: string): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = [root, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return `${path || 'message'}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}
