/**
 * Memory bandwidth, measured rather than looked up, as the denominator of the decode floor:
 * - host: a typed-array copy (`TypedArray.set`, a memcpy: bytes read + bytes written), a one-thread sum and a
 *   sum split over one worker thread per core (bytes read), each over buffers far larger than the caches,
 *   and the fill of a freshly allocated array (what first-touch page faults cost on this machine);
 * - through ONNX Runtime on a provider (the GPU's, under WebGPU): a graph that makes N distinct floats,
 *   runs k elementwise ops over them (each reads and writes 4N bytes) and returns their first element. Two
 *   graphs, k = K_SHORT and K_LONG, are timed; bandwidth = (K_LONG - K_SHORT) · 8N bytes / (t_long - t_short),
 *   which cancels the fixed costs (making the N floats, launch, the read-back of one float). A first version
 *   reduced the N floats with ReduceSum; under WebGPU that fixed part took 150-220 ms and swamped the
 *   difference.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../model/onnx/graph-builder.js';
import { openSession } from '../runtime/session.js';
import type { Provider, ProviderChoice } from '../runtime/execution-provider.js';
import { GB, timeRuns, type RunCounts, type Timing } from './bench-measure.js';

export interface HostBandwidth {
  bufferBytes: number;
  /** memcpy: (read + written) bytes / s. */
  copyGBps: number;
  /** One JS thread summing float64s: read bytes / s. */
  sumGBps: number;
  /** One worker per core, each summing a slice: read bytes / s. */
  parallelSumGBps: number;
  /** Filling a freshly allocated array (page faults on first touch): written bytes / s. */
  firstTouchGBps: number;
  threads: number;
  copy: Timing;
  sum: Timing;
  parallelSum: Timing;
  firstTouch: Timing;
}

export async function hostBandwidth(bufferBytes: number, counts: RunCounts): Promise<HostBandwidth> {
  const length = Math.floor(bufferBytes / 8);
  const shared = new SharedArrayBuffer(length * 8);
  const src = new Float64Array(shared);
  for (let i = 0; i < length; i++) src[i] = i & 1023;
  const dst = new Float64Array(length);
  const copy = await timeRuns(counts, async () => {
    dst.set(src);
  });
  let sink = 0;
  const sum = await timeRuns(counts, async () => {
    sink += sumRange(src, 0, length);
  });
  const threads = availableParallelism();
  const parallelSum = await parallelSumTiming(shared, threads, counts);
  if (sink === Number.NEGATIVE_INFINITY) console.error(sink); // keeps the sums alive
  // A quarter of the buffer, three runs: on a machine with slow page faults this is seconds per run.
  const touched = Math.floor(length / 4);
  const firstTouch = await timeRuns({ warmup: 0, runs: 3 }, async () => {
    new Float64Array(touched).fill(1);
  });
  const bytes = length * 8;
  return {
    bufferBytes: bytes,
    copyGBps: (2 * bytes) / GB / (copy.medianMs / 1000),
    sumGBps: bytes / GB / (sum.medianMs / 1000),
    parallelSumGBps: bytes / GB / (parallelSum.medianMs / 1000),
    firstTouchGBps: (touched * 8) / GB / (firstTouch.medianMs / 1000),
    threads,
    copy,
    sum,
    parallelSum,
    firstTouch,
  };
}

function sumRange(values: Float64Array, start: number, end: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    a += values[i]!;
    b += values[i + 1]!;
    c += values[i + 2]!;
    d += values[i + 3]!;
  }
  for (; i < end; i++) a += values[i]!;
  return a + b + c + d;
}

/** The worker's code: sums its slice of the shared buffer whenever asked. */
const SUM_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const values = new Float64Array(workerData.buffer);
parentPort.on('message', () => {
  let a = 0, b = 0, c = 0, d = 0, i = workerData.start;
  const end = workerData.end;
  for (; i + 3 < end; i += 4) { a += values[i]; b += values[i + 1]; c += values[i + 2]; d += values[i + 3]; }
  for (; i < end; i++) a += values[i];
  parentPort.postMessage(a + b + c + d);
});
`;

async function parallelSumTiming(
  buffer: SharedArrayBuffer,
  threads: number,
  counts: RunCounts,
): Promise<Timing> {
  const length = buffer.byteLength / 8;
  const slice = Math.ceil(length / threads);
  const workers = Array.from(
    { length: threads },
    (_, t) =>
      new Worker(SUM_WORKER, {
        eval: true,
        workerData: { buffer, start: t * slice, end: Math.min(length, (t + 1) * slice) },
      }),
  );
  const round = () =>
    Promise.all(
      workers.map(
        (worker) =>
          new Promise<number>((resolve) => {
            worker.once('message', resolve);
            worker.postMessage(0);
          }),
      ),
    );
  try {
    await round(); // workers compiled and started
    return await timeRuns(counts, async () => {
      await round();
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

export interface OrtBandwidth {
  provider: Provider;
  elements: number;
  opsShort: number;
  opsLong: number;
  /** (read + written) bytes / s of the extra elementwise ops. */
  gbps: number;
  short: Timing;
  long: Timing;
}

const K_SHORT = 2;
const K_LONG = 34;

/** An elementwise chain over `elements` float32s: Range + seed [N] → k × (Mul | Add) → first element [1]. */
function chainGraph(elements: number, ops: number): Uint8Array {
  const b = new GraphBuilder({ name: `bandwidth_${ops}` });
  const seed = b.input('seed', 'float32', [1]);
  b.output('sum', 'float32', [1]);
  // Distinct values (0, 1, 2, ... plus the seed): a tensor of one repeated value can be compressed in the
  // GPU's memory system, and an earlier Expand of the seed measured more than the H200's 4.8 TB/s.
  const start = b.float32s('range_start', [0], []);
  const limit = b.float32s('range_limit', [elements], []);
  const delta = b.float32s('range_delta', [1], []);
  let x = b.op('Add', [b.op('Range', [start, limit, delta]), seed]); // [N]
  const scale = b.float32s('scale', [1.0000001], []);
  const shift = b.float32s('shift', [1e-7], []);
  for (let i = 0; i < ops; i++) x = b.op(i % 2 ? 'Add' : 'Mul', [x, i % 2 ? shift : scale]); // [N]
  b.node('Slice', [x, b.int64s('start', [0]), b.int64s('end', [1])], { outputs: ['sum'] }); // [1]
  return b.build();
}

/** One size; a GPU that cannot hold it throws (the caller tries a smaller one in a fresh process). */
export async function ortBandwidth(
  provider: ProviderChoice,
  elements: number,
  threads: number | undefined,
  counts: RunCounts,
): Promise<OrtBandwidth> {
  const timed = async (ops: number) => {
    const opened = await openSession(chainGraph(elements, ops), {
      provider,
      ...(threads ? { threads } : {}),
    });
    try {
      const feeds = { seed: new ort.Tensor('float32', Float32Array.of(1), [1]) };
      const timing = await timeRuns(counts, async () => {
        const out = await opened.session.run(feeds);
        await out.sum!.getData();
      });
      return { timing, provider: opened.provider };
    } finally {
      await opened.session.release();
    }
  };
  const short = await timed(K_SHORT);
  const long = await timed(K_LONG);
  const seconds = (long.timing.medianMs - short.timing.medianMs) / 1000;
  return {
    provider: long.provider,
    elements,
    opsShort: K_SHORT,
    opsLong: K_LONG,
    gbps: ((K_LONG - K_SHORT) * 8 * elements) / GB / seconds,
    short: short.timing,
    long: long.timing,
  };
}
