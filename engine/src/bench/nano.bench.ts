/**
 * The bundled nano model's speed (not a test; docs/benchmarks.md holds the results): seconds for one
 * 128×128 image and one 16-frame video (4 latent frames at 8 fps), each through `generateVision` as the CLI
 * and the studio run it (guidance batch of 2, the model's default sampling, VQ decode included), fp32 on
 * the chosen provider. Medians of several runs after an untimed warm-up; the machine is printed with them.
 *
 *   npx tsc -b engine
 *   node dist/engine/src/bench/nano.bench.js [--provider cpu] [--threads N] [--images N] [--videos N]
 *     [--model DIR] [--precision fp32|fp16|int8|int4] [--out FILE.json]
 *
 * `--model` times another checkpoint of the nano world, e.g. one of a larger decoder with untrained weights
 * (models/recipes/nano/probe_checkpoint.py) before any device time goes into training it: the token counts,
 * and so the time, do not depend on what the weights draw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultGenerationSampling } from '../generate/defaults.js';
import { generateVision, type VisionRequest } from '../generate/vision.js';
import { bundledModelDir } from '../install/package-info.js';
import { Precision } from '../model/package-manifest.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import { ProviderChoice } from '../runtime/execution-provider.js';

interface Timing {
  seconds: number[];
  median: number;
  tokens: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** `runs` timed generations after one untimed warm-up, each with its own seed. */
async function time(model: ModelHandle, request: Omit<VisionRequest, 'seed'>, runs: number): Promise<Timing> {
  let tokens = 0;
  await generateVision(model, { ...request, seed: 1000 });
  const seconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    const { record } = await generateVision(model, { ...request, seed: run + 1 });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    tokens = record.tokens.output.length;
    console.error(
      `  ${request.frames ? 'video' : 'image'} run ${run + 1}/${runs}: ${seconds.at(-1)!.toFixed(2)} s`,
    );
  }
  return { seconds, median: median(seconds), tokens };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string', default: 'cpu' },
      threads: { type: 'string' },
      images: { type: 'string', default: '5' },
      videos: { type: 'string', default: '3' },
      out: { type: 'string' },
      model: { type: 'string' },
      precision: { type: 'string', default: 'fp32' },
    },
  });
  const provider = ProviderChoice.parse(values.provider);
  const threads = values.threads ? Number(values.threads) : availableParallelism();
  // The bundled checkpoint is imported into a home of the bench's own, as on a first start.
  const home = mkdtempSync(join(tmpdir(), 'emu3-bench-nano-'));
  process.env.EMU3_HOME = home;
  const precision = Precision.parse(values.precision);
  const model = await openModel(values.model ?? bundledModelDir(), { precision, provider, threads });
  try {
    const base = {
      prompt: 'a photo of a red circle left of a blue square',
      negativePrompt: '',
      ratio: '1:1',
      sampling: defaultGenerationSampling(model.manifest),
    };
    const image = await time(model, base, Number(values.images));
    const video = await time(
      model,
      { ...base, prompt: 'a red circle moving right', frames: 4, fps: 8 },
      Number(values.videos),
    );
    const report = {
      benchmark: 'nano generation',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model,
        cores: availableParallelism(),
        memoryGiB: totalmem() / 2 ** 30,
        node: process.version,
      },
      provider: (await model.session('decoder')).provider,
      threads,
      model: { dir: values.model ?? bundledModelDir(), id: model.manifest.id, precision },
      image: { ...image, size: '128×128' },
      video: { ...video, frames: 16, latentFrames: 4, fps: 8 },
    };
    console.log(
      `nano (${precision}), ${report.provider} ${threads} threads: image ${image.median.toFixed(2)} s (median of ${image.seconds.length}, ` +
        `${image.tokens} tokens), video ${video.median.toFixed(2)} s (median of ${video.seconds.length}, ${video.tokens} tokens)`,
    );
    if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2));
  } finally {
    await model.close();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
