/** `emu3 vq encode MODEL IMAGE...` and `emu3 vq decode MODEL --codes FILE.json --out OUT`. */
import type { Command } from 'commander';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../api/index.js';
import { imageSize, readRgb, writePng } from '../media/images.js';
import { smartResize } from '../model/vision-pixels.js';
import { decodeCodes, encodeFrames, type CodeGrid } from '../runtime/vq-runner.js';
import { openModelForCli } from './open-model-cli.js';
import { withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';

/** The codes file: an image is a [h][w] grid, a video a [T'][h][w] grid. */
const CodesFile = z.union([
  z.object({ kind: z.literal('image'), codes: z.array(z.array(z.number().int())) }),
  z.object({ kind: z.literal('video'), codes: z.array(z.array(z.array(z.number().int()))) }),
]);

export function registerVq(program: Command): void {
  const vq = program.command('vq').description('the vision tokenizer: images and videos to codes and back');

  withModelOptions(
    vq
      .command('encode')
      .description('encode an image, or frames in order as a video, to codes (JSON)')
      .argument('<model>', 'model package or checkpoint folder')
      .argument('<images...>', 'one image, or the frames of a video in order')
      .option('--out <file>', 'write the codes JSON here instead of stdout'),
  ).action(async (model: string, images: string[], options: ModelCommandOptions & { out?: string }) => {
    const output = createOutput(options.json ?? false);
    try {
      const handle = await openModelForCli(model, options);
      const { width, height } = await imageSize(images[0]!);
      const target = smartResize(height, width, handle.manifest.preprocessor);
      const frames = [];
      for (const image of images) frames.push(await readRgb(image, target));
      const grid = await encodeFrames(handle, frames);
      const file = toCodesFile(grid, images.length === 1);
      if (options.out) await writeFile(options.out, `${JSON.stringify(file)}\n`);
      const summary = `${file.kind} ${width}×${height} → ${target.width}×${target.height} → codes ${grid.frames > 1 || file.kind === 'video' ? `${grid.frames}×` : ''}${grid.height}×${grid.width}`;
      output.result(options.out ? `${summary}, written to ${options.out}` : JSON.stringify(file), {
        event: 'result',
        ...file,
        input: { width, height },
        resized: target,
      });
      await handle.close();
    } catch (error) {
      output.fail(error);
    }
  });

  withModelOptions(
    vq
      .command('decode')
      .description('decode codes (JSON from `vq encode`) to an image (.png) or a folder of video frames')
      .argument('<model>', 'model package or checkpoint folder')
      .requiredOption('--codes <file>', 'codes JSON')
      .requiredOption('--out <path>', 'OUT.png for an image, a folder for a video'),
  ).action(async (model: string, options: ModelCommandOptions & { codes: string; out: string }) => {
    const output = createOutput(options.json ?? false);
    try {
      const file = await readCodesFile(options.codes);
      const grid = toGrid(file, options.codes);
      const handle = await openModelForCli(model, options);
      const frames = await decodeCodes(handle, grid, file.kind === 'image');
      const written: string[] = [];
      if (file.kind === 'image') {
        if (extname(options.out).toLowerCase() !== '.png')
          throw new EngineError('bad_request', `${options.out}: an image is written as .png`);
        await writePng(options.out, frames[0]!);
        written.push(options.out);
      } else {
        await mkdir(options.out, { recursive: true });
        for (const [i, frame] of frames.entries()) {
          const path = join(options.out, `frame-${String(i).padStart(4, '0')}.png`);
          await writePng(path, frame);
          written.push(path);
        }
      }
      output.result(
        `${written.length} frame${written.length > 1 ? 's' : ''} ${frames[0]!.width}×${frames[0]!.height} written to ${options.out}`,
        {
          event: 'result',
          files: written,
        },
      );
      await handle.close();
    } catch (error) {
      output.fail(error);
    }
  });
}

function toCodesFile(grid: CodeGrid, image: boolean): z.infer<typeof CodesFile> {
  const frame = (t: number) =>
    Array.from({ length: grid.height }, (_, y) =>
      Array.from(
        grid.codes.subarray((t * grid.height + y) * grid.width, (t * grid.height + y + 1) * grid.width),
      ),
    );
  return image
    ? { kind: 'image', codes: frame(0) }
    : { kind: 'video', codes: Array.from({ length: grid.frames }, (_, t) => frame(t)) };
}

async function readCodesFile(path: string): Promise<z.infer<typeof CodesFile>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError(
      missing ? 'not_found' : 'invalid_file',
      `${path}: ${missing ? 'no such file' : 'not valid JSON'}`,
    );
  }
  const parsed = CodesFile.safeParse(json);
  if (!parsed.success)
    throw new EngineError(
      'invalid_file',
      `${path}: not a codes file ({"kind":"image"|"video","codes":[...]})`,
    );
  return parsed.data;
}

function toGrid(file: z.infer<typeof CodesFile>, path: string): CodeGrid {
  const frames = file.kind === 'image' ? [file.codes] : file.codes;
  const height = frames[0]?.length ?? 0;
  const width = frames[0]?.[0]?.length ?? 0;
  if (
    height === 0 ||
    width === 0 ||
    frames.some((f) => f.length !== height || f.some((row) => row.length !== width))
  ) {
    throw new EngineError('invalid_file', `${path}: the code grid is empty or ragged`);
  }
  return { frames: frames.length, height, width, codes: Int32Array.from(frames.flat(2)) };
}
