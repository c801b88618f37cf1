/**
 * The benchmark's jobs. Each runs in a process of its own (generation.bench.ts spawns them), so its peak RSS
 * is its own and one job's allocations cannot slow the next one's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decoderCacheNames, type Precision } from '../model/onnx/decoder-graph.js';
import { importModel } from '../model/import-model.js';
import { openModel } from '../runtime/open-model.js';
import type { ProviderChoice } from '../runtime/execution-provider.js';
import { openDecoder, type DecoderGraph } from '../runtime/decoder-step.js';
import { openSession } from '../runtime/session.js';
import { hostBandwidth, ortBandwidth } from './bandwidth.js';
import { maxRssBytes, type RunCounts, type Timing } from './bench-measure.js';
import {
  timeDecodeSteps,
  timeDecodeStepsPreallocated,
  timeNoCacheStep,
  timePrefill,
} from './decoder-steps.js';
import { samplingCost } from './sampling-cost.js';
import { profileSteps, type StepProfile } from './step-profile.js';
import { buildSyntheticDecoder, emu3Shape } from './synthetic-decoder.js';
import { compareNoCache, timeVision, tinyCheckpoint } from './tiny-generation.js';

/** What a decoder is measured on. */
export interface DecoderPlan {
  depths: number[];
  batches: number[];
  steps: RunCounts;
  /** Prefill lengths (tokens per row, batch 1). */
  prefill: number[];
  prefillCounts: RunCounts;
  /** Depths of the no-cache baseline (batch 1). */
  noCache: number[];
  noCacheCounts: RunCounts;
  /** Also time the steps with pre-allocated outputs (CPU what-if; see timeDecodeStepsPreallocated). */
  preallocated: boolean;
}

export type JobSpec =
  | { kind: 'host'; bufferBytes: number; counts: RunCounts }
  | { kind: 'ort-bandwidth'; provider: ProviderChoice; threads: number; elements: number; counts: RunCounts }
  | { kind: 'placement'; provider: ProviderChoice; precision: Precision }
  | { kind: 'build'; layers: number; precision: Precision; dir: string }
  | {
      kind: 'decoder';
      layers: number;
      precision: Precision;
      graphPath: string;
      provider: ProviderChoice;
      threads: number;
      plan: DecoderPlan;
      /** Steps to profile with ORT's profiler afterwards (a second session), if any. */
      profile: { batch: number; depth: number }[];
    }
  | {
      kind: 'tiny';
      precision: Precision;
      provider: ProviderChoice;
      threads: number;
      plan: DecoderPlan;
      vision: RunCounts;
    };

export interface StepResult {
  batch: number;
  depth: number;
  timing: Timing;
}

export interface DecoderMeasurements {
  profile?: StepProfile[];
  provider: string;
  fallbacks: { provider: string; reason: string }[];
  loadSeconds: number;
  steps: StepResult[];
  preallocatedSteps: StepResult[];
  /** Parts of the plan that failed, with ORT's message. */
  errors: string[];
  prefill: { batch: number; length: number; timing: Timing; tokensPerSecond: number }[];
  noCache: StepResult[];
}

export async function runJob(spec: JobSpec): Promise<Record<string, unknown>> {
  switch (spec.kind) {
    case 'host':
      return {
        host: await hostBandwidth(spec.bufferBytes, spec.counts),
        sampling: await samplingCost(spec.counts),
      };
    case 'ort-bandwidth':
      return { ...(await ortBandwidth(spec.provider, spec.elements, spec.threads, spec.counts)) };
    case 'placement':
      return placementJob(spec);
    case 'build':
      return { ...(await buildSyntheticDecoder(spec.dir, emu3Shape(spec.layers), spec.precision)) };
    case 'decoder':
      return { ...(await decoderJob(spec)) };
    case 'tiny':
      return tinyJob(spec);
  }
}

/**
 * Runs the plan on an opened decoder; progress goes to stderr. A part that throws is recorded in `errors`
 * and the rest still runs.
 */
async function measureDecoder(model: DecoderGraph, plan: DecoderPlan, label: string) {
  const errors: string[] = [];
  const attempt = async <T>(what: string, body: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await body();
    } catch (error) {
      const message = `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      console.error(`  ${label} ${message}`);
      errors.push(message);
      return undefined;
    }
  };
  // Settle first: the first steps after a load fault in the weights' pages (seconds for an 8B-shaped graph
  // on a VM with slow page faults) and compile GPU kernels; about 3 s of steps, 3 to 30 of them.
  await attempt('settle', async () => {
    const one = await timeDecodeSteps(model, 1, 0, { warmup: 0, runs: 1 });
    const more = Math.min(30, Math.max(3, Math.ceil(3000 / Math.max(1, one.medianMs))));
    await timeDecodeSteps(model, 1, 0, { warmup: 0, runs: more });
  });
  const steps: StepResult[] = [];
  const preallocatedSteps: StepResult[] = [];
  for (const batch of plan.batches) {
    for (const depth of plan.depths) {
      const timing = await attempt(`step b${batch} d${depth}`, () =>
        timeDecodeSteps(model, batch, depth, plan.steps),
      );
      if (!timing) continue;
      console.error(`  ${label} step b${batch} d${depth}: ${timing.medianMs.toFixed(2)} ms`);
      steps.push({ batch, depth, timing });
    }
  }
  for (const batch of plan.preallocated ? plan.batches : []) {
    for (const depth of plan.depths) {
      const timing = await attempt(`pre-allocated step b${batch} d${depth}`, () =>
        timeDecodeStepsPreallocated(model, batch, depth, plan.steps),
      );
      if (!timing) continue;
      console.error(`  ${label} pre-allocated step b${batch} d${depth}: ${timing.medianMs.toFixed(2)} ms`);
      preallocatedSteps.push({ batch, depth, timing });
    }
  }
  const prefill: DecoderMeasurements['prefill'] = [];
  for (const length of plan.prefill) {
    const timing = await attempt(`prefill ${length}`, () =>
      timePrefill(model, 1, length, plan.prefillCounts),
    );
    if (!timing) continue;
    const tokensPerSecond = length / (timing.medianMs / 1000);
    console.error(`  ${label} prefill ${length}: ${tokensPerSecond.toFixed(1)} tok/s`);
    prefill.push({ batch: 1, length, timing, tokensPerSecond });
  }
  const noCache: StepResult[] = [];
  for (const depth of plan.noCache) {
    const timing = await attempt(`no-cache step d${depth}`, () =>
      timeNoCacheStep(model, 1, depth, plan.noCacheCounts),
    );
    if (!timing) continue;
    console.error(`  ${label} no-cache step d${depth}: ${timing.medianMs.toFixed(2)} ms`);
    noCache.push({ batch: 1, depth, timing });
  }
  return { steps, preallocatedSteps, prefill, noCache, errors };
}

const presentNames = (layers: number) => decoderCacheNames(layers).map((name) => name.present);

async function decoderJob(spec: Extract<JobSpec, { kind: 'decoder' }>): Promise<DecoderMeasurements> {
  const start = performance.now();
  const opened = await openSession(spec.graphPath, {
    provider: spec.provider,
    threads: spec.threads,
    gpuOutputs: presentNames(spec.layers),
  });
  const loadSeconds = (performance.now() - start) / 1000;
  try {
    const model: DecoderGraph = {
      session: opened.session,
      config: emu3Shape(spec.layers),
      kvType: spec.precision === 'fp16' ? 'float16' : 'float32',
      fetchAll: opened.provider === 'webgpu',
    };
    const measured = await measureDecoder(model, spec.plan, `8B-shape ${spec.precision} L${spec.layers}`);
    await opened.session.release();
    let profile: StepProfile[] = [];
    try {
      if (spec.profile.length) {
        profile = await profileSteps(
          spec.graphPath,
          model.config,
          model.kvType,
          opened.provider,
          spec.threads,
          spec.profile,
          5,
        );
      }
    } catch (error) {
      measured.errors.push(
        `profile: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
    return { provider: opened.provider, fallbacks: opened.fallbacks, loadSeconds, ...measured, profile };
  } catch (error) {
    await opened.session.release().catch(() => {});
    throw error;
  }
}

async function tinyJob(spec: Extract<JobSpec, { kind: 'tiny' }>): Promise<Record<string, unknown>> {
  const modelsDir = mkdtempSync(join(tmpdir(), 'emu3-bench-tiny-'));
  try {
    const importStart = performance.now();
    const { dir } = await importModel(tinyCheckpoint(), { modelsDir, precision: spec.precision });
    const importSeconds = (performance.now() - importStart) / 1000;
    const model = await openModel(dir, { provider: spec.provider, threads: spec.threads });
    try {
      const loadStart = performance.now();
      const opened = await model.session('decoder');
      const loadSeconds = (performance.now() - loadStart) / 1000;
      const label = `tiny ${spec.precision}`;
      const measured = await measureDecoder(await openDecoder(model), spec.plan, label);
      const part = async <T>(what: string, body: () => Promise<T>): Promise<T | undefined> => {
        try {
          return await body();
        } catch (error) {
          measured.errors.push(
            `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          );
          return undefined;
        }
      };
      const image = await part('image', () => timeVision(model, 'image', spec.vision));
      console.error(`  ${label} image: ${image?.total.medianMs.toFixed(1)} ms`);
      const video = await part('video', () => timeVision(model, 'video', spec.vision));
      console.error(`  ${label} video: ${video?.total.medianMs.toFixed(1)} ms`);
      const noCacheImage = await part('no-cache image', () => compareNoCache(model, spec.vision));
      console.error(`  ${label} no-cache image decode: ${noCacheImage?.speedup.toFixed(2)}x slower`);
      return {
        provider: opened.provider,
        fallbacks: opened.fallbacks,
        importSeconds,
        loadSeconds,
        decoder: model.manifest.decoder,
        ...measured,
        image,
        video,
        noCacheImage,
      };
    } finally {
      await model.close();
    }
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

/**
 * Opens the tiny model's decoder graph at `precision` on `provider` with ONNX Runtime's verbose log, whose
 * "Node placements" lines (on stderr, which the parent captures) say which nodes left the provider for the
 * CPU. Same session options as openSession apart from the log level.
 */
async function placementJob(spec: Extract<JobSpec, { kind: 'placement' }>): Promise<Record<string, unknown>> {
  const modelsDir = mkdtempSync(join(tmpdir(), 'emu3-bench-placement-'));
  try {
    const { dir, manifest } = await importModel(tinyCheckpoint(), { modelsDir, precision: spec.precision });
    const provider = spec.provider === 'auto' ? 'cpu' : spec.provider;
    const session = await ort.InferenceSession.create(join(dir, manifest.graphs.decoder), {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 0,
      logVerbosityLevel: 0,
      extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
      ...(provider === 'webgpu'
        ? {
            preferredOutputLocation: Object.fromEntries(
              presentNames(manifest.decoder.numLayers).map((name) => [name, 'gpu-buffer' as const]),
            ),
          }
        : {}),
    });
    await session.release();
    return { provider };
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

/** Child-process entry: runs one job and returns what the parent stores, with this process's peak RSS. */
export async function runJobInChild(spec: JobSpec): Promise<Record<string, unknown>> {
  const start = performance.now();
  const result = await runJob(spec);
  return { ...result, seconds: (performance.now() - start) / 1000, maxRssBytes: maxRssBytes() };
}
