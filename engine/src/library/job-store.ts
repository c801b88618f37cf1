/**
 * The rows of the persisted job queue (table `jobs`, migration 2): the jobs that have not ended, in queue
 * order. Plain rows with JSON params; what a job means is the engine's business (app/job-queue.ts), which
 * validates the params again when it reads them back.
 */
import type { Library } from './library.js';
import { sqliteError } from './database.js';

export interface StoredJob {
  id: string;
  kind: string;
  modelId: string;
  params: unknown;
  createdAt: string;
}

interface JobRow {
  id: string;
  kind: string;
  model_id: string;
  params: string;
  created_at: string;
}

export class JobStore {
  constructor(private readonly library: Library) {}

  /** Every stored job in queue order; a row whose params are not JSON is left out (and dropped). */
  all(): StoredJob[] {
    const rows = this.run(() =>
      this.library.db.prepare('SELECT * FROM jobs ORDER BY position, rowid').all(),
    ) as JobRow[];
    const jobs: StoredJob[] = [];
    for (const row of rows) {
      try {
        jobs.push({
          id: row.id,
          kind: row.kind,
          modelId: row.model_id,
          params: JSON.parse(row.params) as unknown,
          createdAt: row.created_at,
        });
      } catch {
        this.remove(row.id);
      }
    }
    return jobs;
  }

  /** Appends a job at the end of the queue. */
  add(job: StoredJob): void {
    this.run(() =>
      this.library.db
        .prepare(
          'INSERT INTO jobs (id, position, kind, model_id, params, created_at) VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM jobs), ?, ?, ?, ?)',
        )
        .run(job.id, job.kind, job.modelId, JSON.stringify(job.params), job.createdAt),
    );
  }

  remove(id: string): void {
    this.run(() => this.library.db.prepare('DELETE FROM jobs WHERE id = ?').run(id));
  }

  /** Renumbers the stored jobs in this order (pass them all), in one transaction. */
  setOrder(ids: readonly string[]): void {
    const update = this.library.db.prepare('UPDATE jobs SET position = ? WHERE id = ?');
    this.run(() =>
      this.library.db.transaction(() => ids.forEach((id, i) => update.run(i + 1, id))).immediate(),
    );
  }

  private run<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw sqliteError(error, this.library.file);
    }
  }
}
