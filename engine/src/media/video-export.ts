/**
 * A video as an animated GIF or WebP, through ffmpeg: every frame at the video's own size and rate, looping.
 * Written to `${path}.partial-<pid>` and renamed, so a failure or cancel leaves no file at `path`.
 */
import { rename, rm } from 'node:fs/promises';
import { CancelledError } from '../api/index.js';
import { runFfmpeg } from './ffmpeg.js';

export type AnimationFormat = 'gif' | 'webp';

/** The ffmpeg arguments after `-i input`: a palette made from the video itself for GIF, lossy q 85 WebP. */
export function animationArgs(format: AnimationFormat): string[] {
  if (format === 'gif')
    return [
      '-filter_complex', '[0:v]split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3',
      '-loop', '0', '-f', 'gif',
    ]; // prettier-ignore
  return ['-c:v', 'libwebp_anim', '-lossless', '0', '-q:v', '85', '-loop', '0', '-an', '-f', 'webp'];
}

export async function writeAnimation(
  input: string,
  path: string,
  format: AnimationFormat,
  signal?: AbortSignal,
): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  try {
    await runFfmpeg(
      ['-y', '-loglevel', 'error', '-i', input, '-map', '0:v:0', ...animationArgs(format), partial],
      {
        file: input,
        ...(signal ? { signal } : {}),
      },
    );
    if (signal?.aborted) throw new CancelledError();
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
