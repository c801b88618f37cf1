/**
 * The generation benchmark's printed tables (the JSON holds the same figures with every sample) and the
 * derived figures' shape.
 */
import type { Precision } from '../model/onnx/decoder-graph.js';
import type { HostBandwidth, OrtBandwidth } from './bandwidth.js';
import type { DecoderMeasurements } from './bench-jobs.js';
import {
  format,
  table,
  type Bandwidth,
  type FloorRow,
  type ImageEstimate,
  type JobRecord,
  type PerLayerRow,
} from './bench-report.js';
import type { SamplingCost } from './sampling-cost.js';
import { EMU3_8B_LAYERS } from './synthetic-decoder.js';
import type { NoCacheComparison, VisionTiming } from './tiny-generation.js';

export interface Derived {
  bandwidth: Bandwidth;
  floors: FloorRow[];
  perLayer: PerLayerRow[];
  prefill32: { precision: Precision; length: number; tokensPerSecond: number }[];
  image720: ImageEstimate[];
}

export function hostResults(jobs: readonly JobRecord[]): {
  host?: { host: HostBandwidth; sampling: SamplingCost };
  ort?: OrtBandwidth;
} {
  const host = jobs.find((j) => j.id === 'host' && j.ok)?.result as
    { host: HostBandwidth; sampling: SamplingCost } | undefined;
  const ort = jobs.find((j) => j.kind === 'ort-bandwidth' && j.ok)?.result as OrtBandwidth | undefined;
  return { host, ort };
}

export function printTables(report: Record<string, unknown>): void {
  const jobs = report.jobs as JobRecord[];
  const derived = report.derived as Derived;
  const machine = report.machine as Record<string, unknown>;
  const out: string[] = [];
  out.push(
    `\nMachine: ${String(machine.cpuModel)}, ${String(machine.cores)} cores, ${((machine.memoryBytes as number) / 2 ** 30).toFixed(0)} GiB` +
      (machine.gpu ? `; GPU ${(machine.gpu as string[]).join(' | ')}` : ''),
  );
  const { host, ort } = hostResults(jobs);
  if (host) {
    out.push(
      `Bandwidth GB/s: memcpy ${format(host.host.copyGBps)}, 1-thread sum ${format(host.host.sumGBps)}, ` +
        `${host.host.threads}-thread sum ${format(host.host.parallelSumGBps)}, first touch ${format(host.host.firstTouchGBps)}, ` +
        `ORT ${ort?.provider ?? '?'} chain ${format(ort?.gbps ?? Number.NaN)}` +
        ` → floor uses ${format(derived.bandwidth.gbps)} (${derived.bandwidth.source})`,
    );
    out.push(
      `Host sampling per step (vocab 184622, guidance mix + constraint + top-k 2048 + draw): ${format(host.sampling.step.medianMs)} ms`,
    );
  }

  const stepRows: (string | number)[][] = [];
  for (const job of jobs) {
    if (job.kind !== 'decoder' && job.kind !== 'tiny') continue;
    const name = job.model === 'tiny' ? `tiny ${job.precision}` : `8B-shape ${job.precision} L${job.layers}`;
    if (!job.ok || !job.result) {
      stepRows.push([name, job.skipped ?? job.error ?? 'failed']);
      continue;
    }
    const r = job.result as unknown as DecoderMeasurements & { maxRssBytes: number };
    const step = (b: number, d: number) =>
      r.steps.find((s) => s.batch === b && s.depth === d)?.timing.medianMs ?? Number.NaN;
    const prefill = r.prefill.map((p) => `${format(p.tokensPerSecond)}@${p.length}`).join(' ');
    const noCache = r.noCache.map((n) => `${format(n.timing.medianMs)}@${n.depth}`).join(' ');
    stepRows.push([
      name,
      r.provider,
      prefill,
      step(1, 0),
      step(1, 1024),
      step(1, 4096),
      step(2, 0),
      step(2, 1024),
      step(2, 4096),
      noCache,
      r.maxRssBytes / 2 ** 30,
      job.gpuMemoryPeakMiB === undefined ? '—' : String(job.gpuMemoryPeakMiB),
    ]);
  }
  out.push(
    '\nDecode ms/step (median), prefill tok/s, no-cache step ms, peak RSS GiB\n' +
      table(
        [
          'model',
          'provider',
          'prefill tok/s@len',
          'b1 d0',
          'b1 d1k',
          'b1 d4k',
          'b2 d0',
          'b2 d1k',
          'b2 d4k',
          'no-cache ms@depth',
          'RSS GiB',
          'GPU MiB',
        ],
        stepRows,
      ),
  );

  const preRows: (string | number)[][] = [];
  for (const job of jobs) {
    const r = job.result as unknown as DecoderMeasurements | undefined;
    if (!job.ok || !r?.preallocatedSteps?.length) continue;
    const name = job.model === 'tiny' ? `tiny ${job.precision}` : `8B-shape ${job.precision} L${job.layers}`;
    const cell = (b: number, d: number) => {
      const pre = r.preallocatedSteps.find((s) => s.batch === b && s.depth === d)?.timing.medianMs;
      const now = r.steps.find((s) => s.batch === b && s.depth === d)?.timing.medianMs;
      return pre === undefined || now === undefined ? '—' : `${format(pre)} (${format(now)})`;
    };
    preRows.push([name, cell(1, 0), cell(1, 4096), cell(2, 0), cell(2, 4096)]);
  }
  if (preRows.length) {
    out.push(
      "\nWhat-if: steps with pre-allocated logits/present buffers, ms (the engine's way in brackets)\n" +
        table(['model', 'b1 d0', 'b1 d4k', 'b2 d0', 'b2 d4k'], preRows),
    );
  }

  const profileRows: (string | number)[][] = [];
  for (const job of jobs) {
    const r = job.result as unknown as DecoderMeasurements | undefined;
    for (const p of (job.ok && r?.profile) || []) {
      profileRows.push([
        `8B-shape ${job.precision} L${job.layers}`,
        `b${p.batch} d${p.depth}`,
        p.wallMs,
        p.runMs,
        p.kernelsMs
          .slice(0, 5)
          .map((k) => `${k.op} ${format(k.ms)}`)
          .join(', '),
      ]);
    }
  }
  if (profileRows.length) {
    out.push(
      '\nORT profiler: one step, ms (JS wall, inside ORT run, top kernels by op type)\n' +
        table(['model', 'step', 'wall ms', 'ORT run ms', 'kernels ms/step'], profileRows),
    );
  }

  const visionRows: (string | number)[][] = [];
  for (const job of jobs) {
    if (job.kind !== 'tiny' || !job.ok || !job.result) continue;
    const r = job.result as { image?: VisionTiming; video?: VisionTiming; noCacheImage?: NoCacheComparison };
    if (!r.image || !r.video || !r.noCacheImage) continue;
    visionRows.push([
      `tiny ${job.precision}`,
      r.image.total.medianMs / 1000,
      `${r.image.newTokens}`,
      r.image.decodeMsPerStep,
      r.video.total.medianMs / 1000,
      `${r.video.newTokens}`,
      r.noCacheImage.cached.medianMs / 1000,
      r.noCacheImage.noCache.medianMs / 1000,
      `${format(r.noCacheImage.speedup)}x${r.noCacheImage.sameTokens ? '' : ' (tokens differ!)'}`,
    ]);
  }
  if (visionRows.length) {
    out.push(
      '\nTiny model through generateVision (guidance 3 = batch 2), seconds; greedy decode with vs without cache\n' +
        table(
          [
            'model',
            's/image',
            'tokens',
            'ms/step',
            's/video',
            'tokens',
            'cached s',
            'no-cache s',
            'no-cache slower',
          ],
          visionRows,
        ),
    );
  }

  if (derived.perLayer.length) {
    out.push(
      `\n8B-shaped decoder: per-layer step cost and the 32-layer step (intercept + ${EMU3_8B_LAYERS} × per-layer) vs its floor\n` +
        table(
          [
            'precision',
            'batch',
            'depth',
            'per-layer ms',
            'intercept ms',
            'Emu3-8B step ms',
            'floor ms',
            'ratio',
          ],
          derived.perLayer.map((r) => [
            r.precision,
            String(r.batch),
            String(r.depth),
            r.perLayerMs,
            r.interceptMs,
            r.emu3StepMs,
            r.emu3FloorMs,
            r.emu3Ratio,
          ]),
        ),
    );
  }
  if (derived.image720.length) {
    out.push(
      '\nOne 720×720 image of Emu3-8B (8193 steps, guidance = batch 2), extrapolated\n' +
        table(
          ['precision', 'step ms', 'sampling ms', 'decode s', 'floor s', 'prefill s', 'formula'],
          derived.image720.map((e) => [
            e.precision,
            e.stepMs,
            e.samplingMs,
            e.decodeSeconds,
            e.floorSeconds,
            e.prefillSeconds ?? Number.NaN,
            e.formula,
          ]),
        ),
    );
  }
  if (derived.floors.length) {
    out.push(
      `\nMeasured step vs bandwidth floor (bytes read ÷ ${format(derived.bandwidth.gbps)} GB/s)\n` +
        table(
          ['model', 'precision', 'L', 'batch', 'depth', 'measured ms', 'MB read', 'floor ms', 'ratio'],
          derived.floors.map((f) => [
            f.model,
            f.precision,
            String(f.layers),
            String(f.batch),
            String(f.depth),
            f.measuredMs,
            f.bytesRead / 1e6,
            f.floorMs,
            f.ratio,
          ]),
        ),
    );
  }
  console.log(out.join('\n'));
}
