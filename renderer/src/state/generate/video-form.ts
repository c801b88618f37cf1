/**
 * The Generate form as jobs: images as `buildRequests` makes them, or, in video mode, the same requests with
 * a length in latent frames and a frame rate. The length is shown as seconds at the chosen rate.
 */
import {
  MAX_LATENT_FRAMES,
  MAX_VIDEO_FPS,
  VideoFps,
  type GenerateImageParams,
  type GenerateVideoParams,
} from '../../../../engine/src/api/index.js';
import { buildRequests, type FieldErrors, type GenerateForm } from './form.js';

export type GenerateJob =
  | { method: 'jobs.generateImage'; params: GenerateImageParams }
  | { method: 'jobs.generateVideo'; params: GenerateVideoParams };

export type JobsResult =
  { ok: true; jobs: GenerateJob[]; seeds: number[] } | { ok: false; errors: FieldErrors };

export function buildJobs(form: GenerateForm, randomSeed: () => number): JobsResult {
  const built = buildRequests(form, randomSeed);
  if (form.mode === 'image')
    return built.ok
      ? {
          ok: true,
          seeds: built.seeds,
          jobs: built.requests.map((params) => ({ method: 'jobs.generateImage', params })),
        }
      : built;
  const errors: FieldErrors = built.ok ? {} : { ...built.errors };
  const frames = Number(form.frames.trim());
  if (form.frames.trim() === '' || !Number.isInteger(frames) || frames < 1 || frames > MAX_LATENT_FRAMES)
    errors.frames = `A whole number of latent frames from 1 to ${MAX_LATENT_FRAMES}.`;
  const fps = parseFps(form.fps);
  if (fps === null) errors.fps = `Frames per second above 0, at most ${MAX_VIDEO_FPS}, two decimals at most.`;
  if (!built.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    seeds: built.seeds,
    jobs: built.requests.map((params) => ({
      method: 'jobs.generateVideo',
      params: { ...params, frames, fps: fps! },
    })),
  };
}

/** A frame rate as typed, when the engine takes it (positive, at most MAX_VIDEO_FPS, two decimals); else null. */
export function parseFps(text: string): number | null {
  const fps = Number(text.trim());
  return text.trim() !== '' && VideoFps.safeParse(fps).success ? fps : null;
}

/**
 * "16 frames · 2.0 s at 8 fps": what a length in latent frames means for a model with `temporalFactor`
 * video frames per latent frame.
 */
export function describeLength(framesText: string, fpsText: string, temporalFactor: number): string | null {
  const frames = Number(framesText.trim());
  const fps = parseFps(fpsText);
  if (!Number.isInteger(frames) || frames < 1 || fps === null) return null;
  const videoFrames = frames * temporalFactor;
  return `${videoFrames} frames · ${formatSeconds(videoFrames / fps)} at ${fps} fps`;
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}
