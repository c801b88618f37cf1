/**
 * Where a decode step's time goes, from ONNX Runtime's own profiler: the graph is opened once more with
 * profiling on (otherwise the options openSession uses), a few carried steps are run, and the kernel times
 * are summed per operator type and divided by the steps. `runMs` is ORT's time inside `run`, `wallMs` what
 * JavaScript waited (the difference is the binding: tensors in and out, the cache's arrays). Under WebGPU a
 * kernel's time is its CPU-side recording and dispatch, not GPU execution; `runMs` still ends with the
 * logits read-back, which waits for the GPU.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DecoderConfig } from '../model/model-config.js';
import { decoderCacheNames } from '../model/onnx/decoder-graph.js';
import type { KvType } from '../runtime/decoder-step.js';
import type { Provider } from '../runtime/execution-provider.js';
import { median } from './bench-measure.js';
import { timeDecodeSteps } from './decoder-steps.js';

export interface StepProfile {
  batch: number;
  depth: number;
  steps: number;
  wallMs: number;
  runMs: number;
  /** Kernel milliseconds per step by operator type, largest first. */
  kernelsMs: { op: string; ms: number; count: number }[];
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string };
}

export async function profileSteps(
  graphPath: string,
  config: DecoderConfig,
  kvType: KvType,
  provider: Provider,
  threads: number,
  points: readonly { batch: number; depth: number }[],
  steps: number,
): Promise<StepProfile[]> {
  const dir = mkdtempSync(join(tmpdir(), 'emu3-bench-profile-'));
  const presents = decoderCacheNames(config.numLayers).map((name) => name.present);
  try {
    const session = await ort.InferenceSession.create(graphPath, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      intraOpNumThreads: threads,
      extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
      enableProfiling: true,
      profileFilePrefix: join(dir, 'profile'),
      ...(provider === 'webgpu'
        ? { preferredOutputLocation: Object.fromEntries(presents.map((n) => [n, 'gpu-buffer' as const])) }
        : {}),
    });
    const warmup = 2;
    const walls: number[] = [];
    for (const { batch, depth } of points) {
      const timing = await timeDecodeSteps({ session, config, kvType }, batch, depth, {
        warmup,
        runs: steps,
      });
      walls.push(timing.medianMs);
    }
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir).find((name) => name.endsWith('.json'));
    const events = file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]) : [];
    const allRuns = events.filter((e) => e.name === 'model_run');
    return points.map(({ batch, depth }, i) => {
      const first = i * (warmup + steps) + warmup;
      const runs = allRuns.slice(first, first + steps);
      const inRuns = (e: ProfileEvent) =>
        runs.some((r) => (e.ts ?? 0) >= (r.ts ?? 0) && (e.ts ?? 0) <= (r.ts ?? 0) + (r.dur ?? 0));
      const byOp = new Map<string, { us: number; count: number }>();
      for (const e of events) {
        if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !inRuns(e)) continue;
        const op = e.args?.op_name ?? 'unknown';
        const entry = byOp.get(op) ?? { us: 0, count: 0 };
        entry.us += e.dur ?? 0;
        entry.count++;
        byOp.set(op, entry);
      }
      const perStep = Math.max(1, runs.length);
      return {
        batch,
        depth,
        steps: runs.length,
        wallMs: walls[i]!,
        runMs: median(runs.map((r) => (r.dur ?? 0) / 1000)),
        kernelsMs: [...byOp.entries()]
          .map(([op, { us, count }]) => ({ op, ms: us / 1000 / perStep, count: count / perStep }))
          .sort((a, b) => b.ms - a.ms),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
