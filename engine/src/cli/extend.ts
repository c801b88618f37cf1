/** `emu3 extend VIDEO`: more frames after the last ones of any video, joined into a new MP4. */
import type { Command } from 'commander';
import { basename, extname } from 'node:path';
import { EngineError } from '../api/index.js';
import { parseRecord } from '../generate/record.js';
import { completeRequest } from '../generate/request-defaults.js';
import { generateVision } from '../generate/vision.js';
import { readResultRecord, writeResult } from '../media/result-files.js';
import { probeVideo, readVideoFrames } from '../media/video.js';
import { sha256File } from '../model/file-hash.js';
import { smartResize } from '../model/vision-pixels.js';
import { encodeFrames } from '../runtime/vq-runner.js';
import { parsePositiveInt, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { describeSpeed, runModelJob } from './run-job.js';
import { samplingChoices, withSamplingOptions, type SamplingFlags } from './sampling-options.js';

interface ExtendFlags extends ModelCommandOptions, SamplingFlags {
  model?: string;
  frames: number;
  context: number;
  prompt?: string;
  negative?: string;
  out: string;
}

export function registerExtend(program: Command): void {
  withModelOptions(
    withSamplingOptions(
      program
        .command('extend')
        .description('continue a video: its last frames are the context, new frames are generated after them')
        .argument('<video>', 'any video ffmpeg reads')
        .option('--model <dir>', 'model package or checkpoint folder (default: the bundled nano model)')
        .option('--frames <n>', 'new latent frames to generate', parsePositiveInt, 1)
        .option('--context <n>', 'latent frames of the source to continue from', parsePositiveInt, 1)
        .option(
          '--prompt <text>',
          "what happens next (default: the source's own prompt if it has a record, else none)",
        )
        .option('--negative <text>', 'what to steer away from')
        .requiredOption('--out <file>', 'output .mp4'),
    ),
  ).action(async (video: string, flags: ExtendFlags) => {
    const output = createOutput(flags.json ?? false);
    try {
      const started = performance.now();
      const result = await runModelJob(flags.model, flags, async ({ model, signal, onProgress }) => {
        const { preprocessor, vision } = model.manifest;
        const info = await probeVideo(video, signal);
        const size = smartResize(info.height, info.width, preprocessor);
        const { frames } = await readVideoFrames(video, { size, signal });
        const contextCount = flags.context * vision.temporalDownsampleFactor;
        if (frames.length < contextCount) {
          throw new EngineError(
            'bad_request',
            `${video}: ${frames.length} frames, fewer than the ${contextCount} the context needs`,
          );
        }
        const codes = await encodeFrames(model, frames.slice(frames.length - contextCount));
        const sourceRecord =
          extname(video).toLowerCase() === '.mp4'
            ? await readResultRecord(video, signal).catch(() => null)
            : null;
        const prompt = flags.prompt ?? (sourceRecord ? parseRecord(sourceRecord, video).prompt : '');
        const generated = await generateVision(
          model,
          completeRequest(model.manifest, {
            prompt,
            negativePrompt: flags.negative,
            ratio: '',
            frames: flags.frames,
            fps: info.fps,
            context: {
              codes,
              source: { path: basename(video), sha256: await sha256File(video), frames: contextCount },
            },
            sampling: samplingChoices(flags),
            seed: flags.seed,
          }),
          { signal, onProgress },
        );
        const joined = [...frames, ...generated.frames];
        await writeResult(flags.out, joined, generated.record, { fps: info.fps, signal });
        return { ...generated, total: joined.length, sourceFrames: frames.length };
      });
      const seconds = (performance.now() - started) / 1000;
      output.result(
        `Wrote ${flags.out}: ${result.sourceFrames} source + ${result.frames.length} new frames at ${result.frames[0]!.width}×${result.frames[0]!.height}, seed ${result.record.seed}, ${describeSpeed(result.record.tokens.output.length, seconds)}`,
        {
          event: 'result',
          out: flags.out,
          seed: result.record.seed,
          frames: result.total,
          newFrames: result.frames.length,
          seconds,
        },
      );
    } catch (error) {
      output.fail(error);
    }
  });
}
