/**
 * The frames a question looks at, read from a stored image or video and resized to the model's size as
 * `emu3 understand` does: an image by the preprocessor's smart resize; a video's first frames, as many whole
 * groups of the vision tokenizer's temporal factor as there are (up to MAX_VIDEO_FRAMES).
 */
import { EngineError, type RgbFrame } from '../api/index.js';
import { imageSize, readRgb } from '../media/images.js';
import { probeVideo, readVideoFrames } from '../media/video.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { smartResize } from '../model/vision-pixels.js';

/** As `emu3 understand --max-frames` defaults to: the nano model's 16-frame clips. */
export const MAX_VIDEO_FRAMES = 16;

export interface SubjectFrames {
  frames: RgbFrame[];
  /** A video's frame rate. */
  fps?: number;
}

export async function readSubjectFrames(
  model: ModelHandle,
  file: { path: string; kind: 'image' | 'video'; label: string },
  signal?: AbortSignal,
): Promise<SubjectFrames> {
  const { preprocessor, vision } = model.manifest;
  if (file.kind === 'image') {
    const { width, height } = await imageSize(file.path);
    return { frames: [await readRgb(file.path, smartResize(height, width, preprocessor))] };
  }
  const info = await probeVideo(file.path, signal);
  const group = vision.temporalDownsampleFactor;
  const read = await readVideoFrames(file.path, {
    size: smartResize(info.height, info.width, preprocessor),
    max: MAX_VIDEO_FRAMES,
    ...(signal ? { signal } : {}),
  });
  const frames = read.frames.slice(0, Math.floor(read.frames.length / group) * group);
  if (frames.length === 0)
    throw new EngineError('bad_request', `${file.label}: a video of fewer than ${group} frames`);
  return { frames, fps: info.fps };
}
