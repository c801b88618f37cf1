/**
 * Ask in the library: uploaded files (table `uploads`, migration 3, their bytes in media/ by content) and the
 * conversations about items (`messages`) and uploads (`upload_messages`). A question and its answer are
 * written in one transaction, so a conversation never ends on a question whose answer was lost.
 */
import {
  EngineError,
  type AskMessage,
  type AskSubject,
  type AskUpload,
  type GenerationRecord,
} from '../api/index.js';
import { sqliteError } from './database.js';
import type { Library } from './library.js';
import type { MediaExt, StoredMedia } from './media-store.js';
import { parseRecord, splitRecord } from './rows.js';

const VIDEO_EXTS: readonly MediaExt[] = ['mp4', 'mov', 'webm'];

export function mediaKindOf(ext: MediaExt): 'image' | 'video' {
  return VIDEO_EXTS.includes(ext) ? 'video' : 'image';
}

interface UploadRow {
  sha256: string;
  name: string;
  added_at: string;
  ext: MediaExt;
  bytes: number;
}

interface MessageRow {
  id: number;
  role: 'user' | 'assistant';
  text: string;
  created_at: string;
  output_bytes: number | null;
}

const UPLOAD = `SELECT u.sha256, u.name, u.added_at, m.ext, m.bytes FROM uploads u JOIN media m ON m.sha256 = u.sha256`;

/** Where a subject's messages live: the table and the column naming the subject. */
function table(subject: AskSubject): { name: string; key: string; value: number | string } {
  return subject.kind === 'item'
    ? { name: 'messages', key: 'item_id', value: subject.itemId }
    : { name: 'upload_messages', key: 'upload_sha256', value: subject.sha256 };
}

export class AskStore {
  constructor(private readonly library: Library) {}

  /**
   * Copies a file into media/ and records it as an upload. The same bytes uploaded again are the same upload
   * (its conversation stays); the newer name is kept.
   */
  async addUpload(path: string, name: string): Promise<AskUpload> {
    const { media } = this.library;
    const stored: StoredMedia = await media.import(path);
    let committed = false;
    try {
      this.run(() =>
        this.library.db
          .transaction(() => {
            const now = new Date().toISOString();
            this.library.db
              .prepare('INSERT INTO media VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
              .run(stored.sha256, stored.ext, stored.bytes, now);
            this.library.db
              .prepare(
                'INSERT INTO uploads (sha256, name, added_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET name = excluded.name, added_at = excluded.added_at',
              )
              .run(stored.sha256, cleanName(name), now);
          })
          .immediate(),
      );
      committed = true;
    } finally {
      media.release(stored.sha256);
      // A file this call brought in that no row names (the insert failed) goes again.
      const named = this.library.db.prepare('SELECT 1 FROM media WHERE sha256 = ?').get(stored.sha256);
      if (!committed && !media.isPending(stored.sha256) && !named)
        media.removeSync(stored.sha256, stored.ext);
    }
    return this.upload(stored.sha256)!;
  }

  upload(sha256: string): AskUpload | null {
    const row = this.run(() => this.library.db.prepare(`${UPLOAD} WHERE u.sha256 = ?`).get(sha256)) as
      UploadRow | undefined;
    return row ? toUpload(row) : null;
  }

  /** Newest first. */
  uploads(limit: number): AskUpload[] {
    const rows = this.run(() =>
      this.library.db.prepare(`${UPLOAD} ORDER BY u.added_at DESC, u.sha256 LIMIT ?`).all(limit),
    ) as UploadRow[];
    return rows.map(toUpload);
  }

  /** The conversation about a subject, oldest first. */
  messages(subject: AskSubject): AskMessage[] {
    const { name, key, value } = table(subject);
    const rows = this.run(() =>
      this.library.db
        .prepare(
          `SELECT id, role, text, created_at, length(output_tokens) AS output_bytes FROM ${name} WHERE ${key} = ? ORDER BY id`,
        )
        .all(value),
    ) as MessageRow[];
    return rows.map(toMessage);
  }

  /** Stores a question and its answer (with the answer's record) together. */
  addExchange(
    subject: AskSubject,
    question: string,
    answer: string,
    record: GenerationRecord,
  ): { question: AskMessage; answer: AskMessage } {
    const parts = splitRecord(parseRecord(record, 'bad_request', 'answer record'), 'answer record');
    const { name, key, value } = table(subject);
    const insert = `INSERT INTO ${name} (${key}, role, text, created_at, record, prompt_tokens, negative_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
    const ids = this.run(() =>
      this.library.db
        .transaction(() => {
          const exists =
            subject.kind === 'item'
              ? this.library.db.prepare('SELECT 1 FROM items WHERE id = ?').get(subject.itemId)
              : this.library.db.prepare('SELECT 1 FROM uploads WHERE sha256 = ?').get(subject.sha256);
          if (!exists) throw new EngineError('not_found', `${describeSubject(subject)}: no longer there`);
          const now = new Date().toISOString();
          const statement = this.library.db.prepare(insert);
          const asked = statement.run(value, 'user', question, now, null, null, null, null);
          const answered = statement.run(
            value,
            'assistant',
            answer,
            now,
            parts.json,
            parts.prompt,
            parts.negative,
            parts.output,
          );
          return [Number(asked.lastInsertRowid), Number(answered.lastInsertRowid)] as const;
        })
        .immediate(),
    );
    const messages = this.messages(subject);
    return {
      question: messages.find((m) => m.id === ids[0])!,
      answer: messages.find((m) => m.id === ids[1])!,
    };
  }

  private run<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw sqliteError(error, this.library.file);
    }
  }
}

export function describeSubject(subject: AskSubject): string {
  return subject.kind === 'item' ? `library item ${subject.itemId}` : `uploaded file ${subject.sha256}`;
}

function toUpload(row: UploadRow): AskUpload {
  return {
    sha256: row.sha256,
    media: { sha256: row.sha256, ext: row.ext },
    mediaKind: mediaKindOf(row.ext),
    name: row.name,
    bytes: row.bytes,
    addedAt: row.added_at,
  };
}

function toMessage(row: MessageRow): AskMessage {
  return {
    id: row.id,
    role: row.role,
    text: row.text,
    createdAt: row.created_at,
    ...(row.role === 'assistant' && row.output_bytes !== null ? { tokens: row.output_bytes / 4 } : {}),
  };
}

/** A bare file name of at most 200 characters: no folders, no control characters. */
export function cleanName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f]/g, '').trim();
  return (clean || 'file').slice(-200);
}
