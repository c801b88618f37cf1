/**
 * Ask: questions about an image or a video, answered by the active model and streamed token by token.
 * The subject is a library item (a generated image or video) or a file the user uploaded (`POST /api/upload`
 * on the web host). The conversation is kept with its subject in the library: each finished question and
 * its answer are stored together, and come back when the subject is opened again. Every question is answered
 * on its own (Emu3's understanding prompt holds one question), so earlier turns are shown, not fed back.
 */
import { z } from 'zod';
import { SerializedError } from './errors.js';
import { ItemId, MediaRef, Sha256 } from './library.js';
import { UPLOAD_FILE_TYPES } from './uploads.js';

export const MAX_QUESTION_CHARS = 2000;
/** The longest answer a question may ask for; the model's positions may cap it lower. */
export const MAX_ANSWER_TOKENS = 1024;
/** What an answer is limited to when the question does not say. */
export const DEFAULT_ANSWER_TOKENS = 256;
/** The largest file `POST /api/upload` takes. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** `POST` a file's bytes here with its `Content-Type` and `?name=`; answered with an `AskUpload`. */
export const UPLOAD_PATH = '/api/upload';
/** What an upload to ask about may be, by `Content-Type` (uploads.ts); the bytes are checked again on arrival. */
export const UPLOAD_TYPES: readonly string[] = [
  ...new Set(Object.values(UPLOAD_FILE_TYPES).map((entry) => entry.type)),
];

export const AskSubject = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('item'), itemId: ItemId }),
  z.strictObject({ kind: z.literal('upload'), sha256: Sha256 }),
]);
export type AskSubject = z.infer<typeof AskSubject>;

export const AskId = z.string().min(1).max(128);

export const MediaKind = z.enum(['image', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

/** What an upload and a conversation show: the subject's media file, and whether it is an image or a video. */
const SubjectMedia = { media: MediaRef, mediaKind: MediaKind };

export const AskMessage = z.object({
  id: z.number().int().positive(),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  createdAt: z.string(),
  /** An answer's token count. */
  tokens: z.number().int().nonnegative().optional(),
});
export type AskMessage = z.infer<typeof AskMessage>;

/** A file uploaded to ask about; stored in the library's media by content. */
export const AskUpload = z.object({
  sha256: Sha256,
  ...SubjectMedia,
  /** The file's own name, as a label. */
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  addedAt: z.string(),
});
export type AskUpload = z.infer<typeof AskUpload>;

/** An answer being written: its question and the text so far. */
export const AskRunning = z.object({
  askId: AskId,
  question: z.string(),
  text: z.string(),
  status: z.enum(['queued', 'running']),
});
export type AskRunning = z.infer<typeof AskRunning>;

export const AskConversation = z.object({
  subject: AskSubject,
  ...SubjectMedia,
  /** The item's prompt, or the uploaded file's name. */
  title: z.string(),
  /** Oldest first. */
  messages: z.array(AskMessage),
  running: AskRunning.nullable(),
});
export type AskConversation = z.infer<typeof AskConversation>;

export const AskQuestionParams = z.strictObject({
  subject: AskSubject,
  question: z.string().trim().min(1, 'write a question first').max(MAX_QUESTION_CHARS),
  maxTokens: z.number().int().min(1).max(MAX_ANSWER_TOKENS).optional(),
});
export type AskQuestionParams = z.input<typeof AskQuestionParams>;

export const AskMethods = {
  /** The subject's media and its conversation so far (and an answer being written, if one is). */
  'ask.open': { params: z.strictObject({ subject: AskSubject }), result: AskConversation },
  /**
   * Asks the active model; the answer streams as `ask.delta` and ends with `ask.finished`, `ask.failed` or
   * `ask.cancelled`. Questions wait their turn: one job runs on the model at a time, and a question waits
   * for the one running (an image, say), then goes ahead of the generation jobs queued behind it.
   */
  'ask.question': { params: AskQuestionParams, result: z.object({ askId: AskId }) },
  /** Stops an answer within a token (or takes a waiting question out); answers once it has stopped. */
  'ask.cancel': {
    params: z.strictObject({ askId: AskId }),
    result: z.object({ askId: AskId, status: z.enum(['cancelled', 'finished']) }),
  },
  /** Uploaded files, newest first. */
  'ask.uploads': {
    params: z.strictObject({ limit: z.number().int().min(1).max(200).default(50) }),
    result: z.array(AskUpload),
  },
} as const;

export const AskEvents = {
  'ask.started': z.object({ askId: AskId, subject: AskSubject, question: z.string() }),
  /** New answer text since the last delta. */
  'ask.delta': z.object({ askId: AskId, text: z.string() }),
  /** The question and its answer, as now stored with the subject. */
  'ask.finished': z.object({
    askId: AskId,
    subject: AskSubject,
    question: AskMessage,
    answer: AskMessage,
    seconds: z.number().nonnegative(),
  }),
  'ask.failed': z.object({ askId: AskId, subject: AskSubject, error: SerializedError }),
  /** Stopped by the user: nothing is stored. */
  'ask.cancelled': z.object({ askId: AskId, subject: AskSubject }),
} as const;

/** Two subjects are the same item or the same file. */
export function sameSubject(a: AskSubject, b: AskSubject): boolean {
  return a.kind === 'item'
    ? b.kind === 'item' && a.itemId === b.itemId
    : b.kind === 'upload' && a.sha256 === b.sha256;
}
