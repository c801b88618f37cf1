/**
 * Generation benchmark (not a test; docs/benchmarks.md explains the method and holds the results):
 * per model and precision, prefill tokens/s, decode ms per step at depths 0 / 1k / 4k for batch 1 and 2,
 * seconds per image and video (tiny fixture model, through generateVision), a no-cache baseline, peak RSS
 * (and GPU memory where nvidia-smi exists), and each decode step against its memory-bandwidth floor. The
 * 8B-shaped decoder (random weights, 2 and 6 layers) gives per-layer cost and an estimate for one 720×720
 * image of the real 32-layer model.
 *
 *   npx tsc -b engine
 *   node dist/engine/src/bench/generation.bench.js [--quick] [--provider cpu|webgpu] [--out FILE.json]
 *     [--threads N] [--scratch DIR] [--budget-s S] [--shape-precisions int4,fp32] [--tiny-precisions ...]
 *     [--layers 2,6] [--build-jobs N] [--skip tiny,shape,placement]
 *     [--bandwidth-gbps G --bandwidth-source TEXT]   (floors against G instead of the fastest measured)
 *   node dist/engine/src/bench/generation.bench.js --derive FILE.json --out FILE.json [--bandwidth-gbps ...]
 *     recomputes the derived figures and tables of a saved run
 *
 * Every job runs in a child process of its own (peak RSS per job); the JSON is rewritten after each job, so
 * a run cut short keeps what it measured.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Precision } from '../model/onnx/decoder-graph.js';
import { ProviderChoice } from '../runtime/execution-provider.js';
import { describeMachine, GpuMemoryPoller } from './bench-machine.js';
import type { RunCounts } from './bench-measure.js';
import { runJobInChild, type DecoderMeasurements, type DecoderPlan, type JobSpec } from './bench-jobs.js';
import {
  floorBandwidth,
  floorRows,
  imageEstimate,
  perLayerRows,
  prefill32,
  type Bandwidth,
  type JobRecord,
} from './bench-report.js';
import { hostResults, printTables, type Derived } from './bench-tables.js';
import { emu3Shape } from './synthetic-decoder.js';

const SELF = fileURLToPath(import.meta.url);
const PRECISIONS = ['fp32', 'fp16', 'int8', 'int4'] as const;

interface Options {
  quick: boolean;
  provider: ProviderChoice;
  out: string;
  threads: number;
  scratch: string;
  budgetSeconds: number;
  shapePrecisions: Precision[];
  tinyPrecisions: Precision[];
  layers: number[];
  buildJobs: number;
  skip: string[];
  /** Recompute the derived figures and tables of this JSON instead of measuring. */
  derive?: string;
  /** Bandwidth for the floors instead of the fastest one measured (e.g. a GPU copy measured elsewhere). */
  bandwidth?: Bandwidth;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      provider: { type: 'string', default: 'cpu' },
      out: { type: 'string' },
      threads: { type: 'string' },
      scratch: { type: 'string' },
      'budget-s': { type: 'string' },
      'shape-precisions': { type: 'string' },
      'tiny-precisions': { type: 'string' },
      layers: { type: 'string', default: '2,6' },
      'build-jobs': { type: 'string' },
      skip: { type: 'string', default: '' },
      derive: { type: 'string' },
      'bandwidth-gbps': { type: 'string' },
      'bandwidth-source': { type: 'string' },
    },
  });
  const provider = ProviderChoice.parse(values.provider);
  const precisions = (text: string): Precision[] =>
    text.split(',').map((p) => {
      if (!(PRECISIONS as readonly string[]).includes(p)) throw new Error(`unknown precision ${p}`);
      return p as Precision;
    });
  const cores = availableParallelism();
  const suffix = values.quick ? '-quick' : '';
  return {
    quick: values.quick ?? false,
    provider,
    out: resolve(values.out ?? join(tmpdir(), `emu3-bench-generation-${provider}${suffix}.json`)),
    threads: values.threads ? Number(values.threads) : cores,
    scratch: resolve(values.scratch ?? tmpdir()),
    budgetSeconds: values['budget-s'] ? Number(values['budget-s']) : Number.POSITIVE_INFINITY,
    shapePrecisions: precisions(values['shape-precisions'] ?? (provider === 'webgpu' ? 'int4,fp16' : 'int4')),
    tinyPrecisions: precisions(values['tiny-precisions'] ?? (values.quick ? 'fp32,int4' : 'fp32,int8,int4')),
    layers: values.layers!.split(',').map(Number),
    buildJobs: values['build-jobs'] ? Number(values['build-jobs']) : Math.max(1, Math.floor(cores / 4)),
    skip: values.skip!.split(',').filter(Boolean),
    ...(values.derive ? { derive: resolve(values.derive) } : {}),
    ...(values['bandwidth-gbps']
      ? {
          bandwidth: {
            gbps: Number(values['bandwidth-gbps']),
            source: values['bandwidth-source'] ?? 'given on the command line',
          },
        }
      : {}),
  };
}

/** How much is measured: full by default, a subset with --quick (fewer runs; 4k depth at batch 1 only). */
function plans(options: Options): {
  tiny: DecoderPlan;
  shape: DecoderPlan;
  vision: RunCounts;
  host: RunCounts;
} {
  const gpu = options.provider === 'webgpu';
  const steps: RunCounts = options.quick ? { warmup: 2, runs: 5 } : { warmup: 3, runs: 9 };
  const few: RunCounts = options.quick ? { warmup: 1, runs: 3 } : { warmup: 1, runs: 5 };
  const tiny: DecoderPlan = {
    depths: [0, 1024, 4096],
    batches: [1, 2],
    steps,
    prefill: [128, 1024],
    prefillCounts: few,
    noCache: [1024],
    noCacheCounts: few,
    preallocated: !gpu,
  };
  const shape: DecoderPlan = {
    depths: [0, 1024, 4096],
    batches: [1, 2],
    steps: options.quick ? { warmup: 2, runs: 3 } : gpu ? { warmup: 3, runs: 9 } : { warmup: 2, runs: 7 },
    prefill: gpu ? [128, 1024] : [128],
    prefillCounts: options.quick ? { warmup: 1, runs: 2 } : { warmup: 1, runs: 3 },
    noCache: gpu ? [1024] : [256],
    noCacheCounts: options.quick ? { warmup: 1, runs: 2 } : { warmup: 1, runs: 3 },
    preallocated: !gpu,
  };
  return {
    tiny,
    shape,
    vision: options.quick ? { warmup: 1, runs: 3 } : { warmup: 1, runs: 5 },
    host: options.quick ? { warmup: 1, runs: 3 } : { warmup: 2, runs: 7 },
  };
}

// ---- jobs ----

interface PlannedJob {
  record: JobRecord;
  spec: JobSpec;
}

/** Runs one job in a fresh process; `stderr` collects its stderr (ORT's native log) instead of passing it on. */
function runChild(
  spec: JobSpec,
  timeoutSeconds: number,
  stderr?: string[],
): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'emu3-bench-job-'));
  const specFile = join(dir, 'spec.json');
  const resultFile = join(dir, 'result.json');
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SELF, '--child', specFile, resultFile], {
      stdio: ['ignore', 'inherit', stderr ? 'pipe' : 'inherit'],
    });
    if (stderr) {
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => stderr.push(text));
    }
    const timer = Number.isFinite(timeoutSeconds)
      ? setTimeout(() => child.kill('SIGKILL'), Math.max(1, timeoutSeconds) * 1000)
      : null;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      try {
        if (code === 0 && existsSync(resultFile)) {
          resolvePromise(JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>);
        } else {
          reject(new Error(signal ? `killed by ${signal} (time budget or memory)` : `exit code ${code}`));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    const spec = JSON.parse(readFileSync(argv[1]!, 'utf8')) as JobSpec;
    const result = await runJobInChild(spec);
    writeFileSync(argv[2]!, JSON.stringify(result));
    return;
  }
  const options = parseOptions(argv);
  if (options.derive) {
    const report = JSON.parse(readFileSync(options.derive, 'utf8')) as Record<string, unknown>;
    const recorded = report.options as Options;
    report.derived = derive(report, { ...recorded, bandwidth: options.bandwidth ?? recorded.bandwidth });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    printTables(report);
    console.log(`\nJSON: ${options.out}`);
    return;
  }
  const plan = plans(options);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const machine = describeMachine();
  const report: Record<string, unknown> = {
    benchmark: 'emu3-studio generation',
    startedAt: new Date().toISOString(),
    options: { ...options, budgetSeconds: String(options.budgetSeconds) },
    machine,
    method: {
      statistic:
        'median of the timed runs after untimed warm-up runs (counts per figure in warmup / samplesMs)',
      plans: plan,
      depth: 'KV cache pre-filled with seeded random values of depth d, then carried step to step',
      weights:
        '8B-shaped decoder: seeded random weights, fused graph (GQA, MatMulNBits), built by buildDecoderGraph',
    },
    jobs: [] as JobRecord[],
  };
  const jobs = report.jobs as JobRecord[];
  const save = () => {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  };
  console.error(`machine: ${JSON.stringify(machine)}`);
  const poller = new GpuMemoryPoller();
  poller.start();
  report.gpuMemoryBaselineMiB = poller.baselineMiB;

  const runRecorded = async (job: PlannedJob, stderr?: string[]) => {
    jobs.push(job.record);
    const left = options.budgetSeconds - elapsed();
    if (left <= 5) {
      job.record.ok = false;
      job.record.skipped = `time budget of ${options.budgetSeconds} s spent`;
      save();
      return;
    }
    job.record.startedAt = new Date().toISOString();
    job.record.loadAverage = [loadavg()[0]!];
    console.error(`[${elapsed().toFixed(0)} s] ${job.record.id}`);
    poller.takePeak();
    try {
      job.record.result = await runChild(job.spec, left, stderr);
      job.record.ok = true;
    } catch (error) {
      job.record.ok = false;
      job.record.error = error instanceof Error ? error.message : String(error);
      console.error(`  ${job.record.id} failed: ${job.record.error}`);
    }
    job.record.loadAverage.push(loadavg()[0]!);
    const gpuPeak = poller.takePeak();
    if (gpuPeak !== undefined) job.record.gpuMemoryPeakMiB = gpuPeak;
    save();
  };

  const { provider, threads } = options;
  await runRecorded({
    record: { id: 'host', kind: 'host', ok: false },
    spec: { kind: 'host', bufferBytes: options.quick ? 512 * 2 ** 20 : 2 ** 30, counts: plan.host },
  });
  // The largest size the provider takes (a GPU buffer may be capped): each try in a fresh process.
  for (const elements of provider === 'webgpu' ? [2 ** 28, 2 ** 27, 2 ** 26, 2 ** 25] : [2 ** 26]) {
    const record: JobRecord = { id: `ort-bandwidth-${elements}`, kind: 'ort-bandwidth', ok: false };
    await runRecorded({
      record,
      spec: { kind: 'ort-bandwidth', provider, threads, elements, counts: plan.host },
    });
    if (record.ok) break;
  }
  if (provider === 'webgpu' && !options.skip.includes('placement')) {
    for (const precision of PRECISIONS) {
      const log: string[] = [];
      const record: JobRecord = { id: `placement-${precision}`, kind: 'placement', precision, ok: false };
      await runRecorded({ record, spec: { kind: 'placement', provider, precision } }, log);
      record.result = { ...record.result, ...placementSummary(log.join('')) };
      save();
    }
  }

  if (!options.skip.includes('tiny')) {
    for (const precision of options.tinyPrecisions) {
      await runRecorded({
        record: { id: `tiny-${precision}`, kind: 'tiny', model: 'tiny', precision, ok: false },
        spec: { kind: 'tiny', precision, provider, threads, plan: plan.tiny, vision: plan.vision },
      });
    }
  }

  if (!options.skip.includes('shape')) {
    const shapes = options.shapePrecisions.flatMap((precision) =>
      options.layers.map((layers) => ({ precision, layers })),
    );
    const built = new Map<string, Promise<JobRecord>>();
    const buildRecords: JobRecord[] = [];
    const graphDir = (p: string, l: number) =>
      join(options.scratch, `emu3-bench-8b-${p}-L${l}-${process.pid}`);
    // Builds (single-threaded JavaScript) run options.buildJobs at a time, all before any timing.
    const queue = [...shapes];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { precision, layers } = next;
        const dir = graphDir(precision, layers);
        mkdirSync(dir, { recursive: true });
        const record: JobRecord = {
          id: `build-8b-${precision}-L${layers}`,
          kind: 'build',
          model: '8b-shape',
          precision,
          layers,
          ok: false,
        };
        buildRecords.push(record);
        const done = runRecorded({ record, spec: { kind: 'build', layers, precision, dir } }).then(
          () => record,
        );
        built.set(`${precision}/${layers}`, done);
        await done;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.buildJobs) }, worker));
    for (const { precision, layers } of shapes) {
      const build = await built.get(`${precision}/${layers}`)!;
      const dir = graphDir(precision, layers);
      const record: JobRecord = {
        id: `8b-${precision}-L${layers}`,
        kind: 'decoder',
        model: '8b-shape',
        precision,
        layers,
        ok: false,
      };
      if (!build.ok) {
        jobs.push({ ...record, skipped: `build failed: ${build.error ?? build.skipped}` });
      } else {
        await runRecorded({
          record,
          spec: {
            kind: 'decoder',
            layers,
            precision,
            graphPath: join(dir, 'decoder.onnx'),
            provider,
            threads,
            plan: plan.shape,
            profile:
              layers === Math.min(...options.layers)
                ? [
                    { batch: 1, depth: 0 },
                    { batch: 2, depth: 4096 },
                  ]
                : [],
          },
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  poller.stop();

  report.derived = derive(report, options);
  report.finishedAt = new Date().toISOString();
  report.totalSeconds = elapsed();
  save();
  printTables(report);
  console.log(`\nJSON: ${options.out} (${elapsed().toFixed(0)} s)`);
}

/** The "Node placements" lines of ORT's verbose session log, and its warning about nodes left to the CPU. */
function placementSummary(log: string): { placement: string[]; warnings: string[] } {
  const lines = log.split('\n').map((line) => line.trim());
  const placement = lines
    .filter((line) => /VerifyEachNodeIsAssignedToAnEp|Node placements|placed on \[/.test(line))
    .map((line) => line.replace(/^.*VerifyEachNodeIsAssignedToAnEp\]\s*/, ''))
    .slice(0, 300);
  const warnings = lines
    .filter((line) => /not assigned to the preferred execution providers|\[W:onnxruntime/.test(line))
    .slice(0, 20);
  return { placement, warnings };
}

// ---- derived figures ----

function derive(report: Record<string, unknown>, options: Options): Derived {
  const jobs = report.jobs as JobRecord[];
  const { host, ort } = hostResults(jobs);
  const bandwidth = options.bandwidth ?? floorBandwidth(options.provider, host?.host, ort);
  const floors: Derived['floors'] = [];
  const perLayer: Derived['perLayer'] = [];
  const prefills: Derived['prefill32'] = [];
  const image720: Derived['image720'] = [];
  for (const job of jobs) {
    if (!job.ok || !job.result || (job.kind !== 'decoder' && job.kind !== 'tiny')) continue;
    const result = job.result as unknown as DecoderMeasurements & { decoder?: ReturnType<typeof emu3Shape> };
    const config = job.kind === 'tiny' ? result.decoder! : emu3Shape(job.layers!);
    floors.push(...floorRows(job.model!, config, job.precision!, result.steps, bandwidth));
  }
  for (const precision of options.shapePrecisions) {
    const measured = options.layers
      .map((layers) => ({ layers, job: jobs.find((j) => j.id === `8b-${precision}-L${layers}` && j.ok) }))
      .filter((m) => m.job)
      .map((m) => ({ layers: m.layers, result: m.job!.result as unknown as DecoderMeasurements }))
      .sort((a, b) => a.layers - b.layers);
    if (measured.length < 2) continue;
    const a = measured[0]!;
    const b = measured[measured.length - 1]!;
    const rows = perLayerRows(precision, a, b, bandwidth);
    perLayer.push(...rows);
    const p32 = prefill32(a, b);
    prefills.push(...p32.map((p) => ({ precision, ...p })));
    // The longest prefill measured: short ones are overhead-bound on a GPU, and their layer difference is noise.
    const rate = [...p32].sort((x, y) => y.length - x.length)[0]?.tokensPerSecond ?? null;
    const estimate = imageEstimate(precision, rows, host?.sampling, rate);
    if (estimate) image720.push(estimate);
  }
  return { bandwidth, floors, perLayer, prefill32: prefills, image720 };
}

await main(process.argv.slice(2));
