/**
 * What the benchmark derives from its measurements, and the tables it prints:
 * - the bandwidth floor of every decode step (bytes it must read ÷ the machine's measured bandwidth) and the
 *   ratio measured / floor;
 * - per-layer step cost of the 8B-shaped decoder, (t(L2) - t(L1)) / (L2 - L1), and its intercept;
 * - the real model's step, t32 = intercept + 32 · per-layer, and one 720×720 image:
 *   T ≈ 8193 · (t32(batch 2, depth 4096) + sampling) — the step at the mean depth of the image's 8193
 *   steps (prompt + 8193/2 ≈ 4.1k), exact when the step grows linearly with depth.
 */
import type { DecoderConfig } from '../model/model-config.js';
import type { Precision } from '../model/onnx/decoder-graph.js';
import type { HostBandwidth, OrtBandwidth } from './bandwidth.js';
import type { DecoderMeasurements, StepResult } from './bench-jobs.js';
import type { SamplingCost } from './sampling-cost.js';
import { EMU3_8B_LAYERS, emu3Shape, stepReadBytes } from './synthetic-decoder.js';

export const IMAGE_720_STEPS = 8193;
export const IMAGE_720_MEAN_DEPTH = 4096;

export interface JobRecord {
  id: string;
  kind: string;
  model?: 'tiny' | '8b-shape';
  precision?: Precision;
  layers?: number;
  ok: boolean;
  skipped?: string;
  error?: string;
  startedAt?: string;
  /** 1-minute load average at the job's start and end: other work on the machine shows here. */
  loadAverage?: number[];
  gpuMemoryPeakMiB?: number;
  result?: Record<string, unknown>;
}

export interface Bandwidth {
  /** The figure the floors use, GB/s (10^9 bytes). */
  gbps: number;
  source: string;
}

/** The fastest bandwidth measured on the machine that runs the decoder's weights. */
export function floorBandwidth(provider: string, host?: HostBandwidth, ort?: OrtBandwidth): Bandwidth {
  if (provider === 'webgpu' && ort?.provider === 'webgpu' && Number.isFinite(ort.gbps)) {
    return { gbps: ort.gbps, source: 'ONNX Runtime WebGPU elementwise chain (read + write)' };
  }
  const candidates: [number, string][] = [];
  if (host) {
    candidates.push([host.copyGBps, 'host memcpy (read + write)']);
    candidates.push([host.parallelSumGBps, `host ${host.threads}-thread sum (read)`]);
    candidates.push([host.sumGBps, 'host 1-thread sum (read)']);
  }
  if (ort?.provider === 'cpu' && Number.isFinite(ort.gbps))
    candidates.push([ort.gbps, 'ONNX Runtime CPU elementwise chain (read + write)']);
  const [gbps, source] = candidates.reduce(
    (best, c) => (c[0] > best[0] ? c : best),
    [Number.NEGATIVE_INFINITY, 'none'],
  );
  return { gbps, source };
}

export interface FloorRow {
  model: string;
  precision: Precision;
  layers: number;
  batch: number;
  depth: number;
  measuredMs: number;
  bytesRead: number;
  floorMs: number;
  ratio: number;
}

export function floorRows(
  model: string,
  config: DecoderConfig,
  precision: Precision,
  steps: readonly StepResult[],
  bandwidth: Bandwidth,
): FloorRow[] {
  return steps.map(({ batch, depth, timing }) => {
    const bytesRead = stepReadBytes(config, precision, batch, depth);
    const floorMs = (bytesRead / (bandwidth.gbps * 1e9)) * 1000;
    return {
      model,
      precision,
      layers: config.numLayers,
      batch,
      depth,
      measuredMs: timing.medianMs,
      bytesRead,
      floorMs,
      ratio: timing.medianMs / floorMs,
    };
  });
}

export interface PerLayerRow {
  precision: Precision;
  batch: number;
  depth: number;
  layersA: number;
  layersB: number;
  perLayerMs: number;
  interceptMs: number;
  /** intercept + 32 · per-layer. */
  emu3StepMs: number;
  emu3FloorMs: number;
  emu3Ratio: number;
}

export function perLayerRows(
  precision: Precision,
  a: { layers: number; result: DecoderMeasurements },
  b: { layers: number; result: DecoderMeasurements },
  bandwidth: Bandwidth,
): PerLayerRow[] {
  const rows: PerLayerRow[] = [];
  for (const stepA of a.result.steps) {
    const stepB = b.result.steps.find((s) => s.batch === stepA.batch && s.depth === stepA.depth);
    if (!stepB) continue;
    const perLayerMs = (stepB.timing.medianMs - stepA.timing.medianMs) / (b.layers - a.layers);
    const interceptMs = stepA.timing.medianMs - a.layers * perLayerMs;
    const emu3StepMs = interceptMs + EMU3_8B_LAYERS * perLayerMs;
    const bytes = stepReadBytes(emu3Shape(EMU3_8B_LAYERS), precision, stepA.batch, stepA.depth);
    const emu3FloorMs = (bytes / (bandwidth.gbps * 1e9)) * 1000;
    rows.push({
      precision,
      batch: stepA.batch,
      depth: stepA.depth,
      layersA: a.layers,
      layersB: b.layers,
      perLayerMs,
      interceptMs,
      emu3StepMs,
      emu3FloorMs,
      emu3Ratio: emu3StepMs / emu3FloorMs,
    });
  }
  return rows;
}

export interface ImageEstimate {
  precision: Precision;
  steps: number;
  /** The depth whose step stands for the mean (4096 unless the run measured less). */
  depth: number;
  stepMs: number;
  samplingMs: number;
  decodeSeconds: number;
  floorSeconds: number;
  /** Prefill of the two ~64-token prompts: 2 · 64 tokens at the extrapolated rate of the longest prefill. */
  prefillSeconds: number | null;
  formula: string;
}

export function imageEstimate(
  precision: Precision,
  rows: readonly PerLayerRow[],
  sampling: SamplingCost | undefined,
  prefill32TokensPerSecond: number | null,
): ImageEstimate | null {
  const batch2 = rows.filter((r) => r.batch === 2).sort((x, y) => x.depth - y.depth);
  if (batch2.length === 0) return null;
  const at = batch2.find((r) => r.depth === IMAGE_720_MEAN_DEPTH) ?? batch2[batch2.length - 1]!;
  const samplingMs = sampling?.step.medianMs ?? 0;
  const prefillSeconds = prefill32TokensPerSecond ? (2 * 64) / prefill32TokensPerSecond : null;
  return {
    precision,
    steps: IMAGE_720_STEPS,
    depth: at.depth,
    stepMs: at.emu3StepMs,
    samplingMs,
    decodeSeconds: (IMAGE_720_STEPS * (at.emu3StepMs + samplingMs)) / 1000,
    floorSeconds: (IMAGE_720_STEPS * at.emu3FloorMs) / 1000,
    prefillSeconds,
    formula: `T = ${IMAGE_720_STEPS} × (t32(b2, d${at.depth}) + sampling) = ${IMAGE_720_STEPS} × (${at.emu3StepMs.toFixed(2)} + ${samplingMs.toFixed(2)}) ms; t32 = intercept + 32 × per-layer`,
  };
}

/** Prefill of 32 layers from two layer counts, tokens/s, by the same linear rule (per token). */
export function prefill32(
  a: { layers: number; result: DecoderMeasurements },
  b: { layers: number; result: DecoderMeasurements },
): { length: number; tokensPerSecond: number }[] {
  return a.result.prefill.flatMap((pa) => {
    const pb = b.result.prefill.find((p) => p.length === pa.length && p.batch === pa.batch);
    if (!pb) return [];
    const perLayer = (pb.timing.medianMs - pa.timing.medianMs) / (b.layers - a.layers);
    const ms = pa.timing.medianMs + (EMU3_8B_LAYERS - a.layers) * perLayer;
    return [{ length: pa.length, tokensPerSecond: (pa.length * pa.batch) / (ms / 1000) }];
  });
}

// ---- text tables ----

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? format(cell) : cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}
