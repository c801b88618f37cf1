/** `emu3 understand (--image FILE | --video FILE) --question TEXT`: the answer, streamed. */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { EngineError } from '../api/index.js';
import { DEFAULT_ANSWER_TOKENS, defaultUnderstandingSampling } from '../generate/defaults.js';
import { understand } from '../generate/understand.js';
import { imageSize, readRgb } from '../media/images.js';
import { probeVideo, readVideoFrames } from '../media/video.js';
import { sha256File } from '../model/file-hash.js';
import { smartResize } from '../model/vision-pixels.js';
import { parsePositiveInt, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { runModelJob } from './run-job.js';
import { samplingFrom, withSamplingOptions, type SamplingFlags } from './sampling-options.js';

interface UnderstandFlags extends ModelCommandOptions, SamplingFlags {
  model?: string;
  image?: string;
  video?: string;
  question: string;
  maxTokens: number;
  maxFrames: number;
}

export function registerUnderstand(program: Command): void {
  withModelOptions(
    withSamplingOptions(
      program
        .command('understand')
        .description('answer a question about an image or a video')
        .option('--model <dir>', 'model package or checkpoint folder (default: the bundled nano model)')
        .option('--image <file>', 'the image')
        .option('--video <file>', 'the video')
        .requiredOption('--question <text>', 'what to ask')
        .option('--max-tokens <n>', 'longest answer in tokens', parsePositiveInt, DEFAULT_ANSWER_TOKENS)
        .option('--max-frames <n>', 'video frames to look at, from the start', parsePositiveInt, 16),
    ),
  ).action(async (flags: UnderstandFlags) => {
    const output = createOutput(flags.json ?? false);
    try {
      const input = flags.image ?? flags.video;
      if (!input || (flags.image && flags.video))
        throw new EngineError('bad_request', 'give one of --image FILE or --video FILE');
      const streaming = !flags.json;
      const result = await runModelJob(flags.model, flags, async ({ model, signal, onProgress }) => {
        const { preprocessor, vision } = model.manifest;
        let frames;
        let fps: number | undefined;
        if (flags.image) {
          const { width, height } = await imageSize(flags.image);
          frames = [await readRgb(flags.image, smartResize(height, width, preprocessor))];
        } else {
          const info = await probeVideo(flags.video!, signal);
          const group = vision.temporalDownsampleFactor;
          const read = await readVideoFrames(flags.video!, {
            size: smartResize(info.height, info.width, preprocessor),
            max: flags.maxFrames,
            signal,
          });
          frames = read.frames.slice(0, Math.floor(read.frames.length / group) * group);
          if (frames.length === 0)
            throw new EngineError('bad_request', `${flags.video}: fewer than ${group} frames`);
          fps = info.fps;
        }
        return understand(
          model,
          {
            frames,
            ...(fps ? { fps } : {}),
            question: flags.question,
            maxNewTokens: flags.maxTokens,
            sampling: samplingFrom(flags, defaultUnderstandingSampling()),
            ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
            source: { path: basename(input), sha256: await sha256File(input), frames: frames.length },
          },
          {
            signal,
            onProgress,
            ...(streaming ? { onText: (delta: string) => process.stdout.write(delta) } : {}),
          },
        );
      });
      if (streaming) process.stdout.write('\n');
      else
        output.result(result.answer, {
          event: 'result',
          answer: result.answer,
          tokens: result.record.tokens.output.length,
          seed: result.record.seed,
        });
    } catch (error) {
      output.fail(error);
    }
  });
}
