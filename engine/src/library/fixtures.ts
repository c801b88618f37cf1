/** Test fixtures for the library: records and small media files whose first bytes say what they are. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FORMAT, type GenerationMode, type GenerationRecord } from '../api/index.js';

const SIGNATURES = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  mp4: Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]),
};

export function makeTestRecord(
  i: number,
  over: { prompt?: string; mode?: GenerationMode; model?: string; output?: number[] } = {},
): GenerationRecord {
  return {
    format: RECORD_FORMAT,
    version: 1,
    mode: over.mode ?? 'image',
    engineVersion: '0.1.0-test',
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    model: { id: over.model ?? 'sha256-model-a', precision: 'fp32' },
    prompt: over.prompt ?? `a picture number ${i}`,
    negativePrompt: 'blurry',
    sampling: { guidance: 3, temperature: 1, topK: 2048, topP: 0.9, greedy: false },
    maxNewTokens: 4096,
    seed: i,
    provider: 'cpu',
    tokens: {
      prompt: [151849, 1000 + i, 65535, 65536],
      negative: [151849, 7],
      output: over.output ?? [151852, 184621 + (i % 1000), i],
    },
  };
}

/** A file that sniffs as `kind`, unique per `seed` unless `bytes` repeats it. */
export function writeTestMedia(path: string, seed: number | Buffer, kind: 'png' | 'mp4' = 'png'): string {
  const body = typeof seed === 'number' ? Buffer.from(`media ${seed}`) : seed;
  writeFileSync(path, Buffer.concat([SIGNATURES[kind], body]));
  return path;
}

export function randomTestMedia(dir: string, name: string, size: number): string {
  return writeTestMedia(join(dir, name), randomBytes(size));
}
