/**
 * Where an extension's frames come from: a gallery video or an uploaded file, probed, cut to a centred crop of
 * the chosen ratio and resized to the model's grid for that ratio. The same fits are shown to the user before
 * an extension starts (`videos.source`) and used when it runs, so what is shown is what the model sees.
 */
import {
  CROP_RATIOS,
  DEFAULT_VIDEO_FPS,
  EngineError,
  type GenerationRecord,
  type SourceFit,
  type VideoSource,
  type VideoSourceInfo,
  type RgbFrame,
} from '../api/index.js';
import { generationSize } from '../generate/format.js';
import type { Library } from '../library/library.js';
import { pngDataUrl } from '../media/images.js';
import { probeVideo, readVideoFrames, type VideoInfo } from '../media/video.js';
import type { PackageManifest } from '../model/package-manifest.js';
import type { UploadStore } from './upload-store.js';

/** The most source frames an extension keeps in front of the new ones (the rest of a long file is cut). */
export const MAX_SOURCE_FRAMES = 960;
/** The last frame shown under the crop is at most this many pixels a side. */
const LAST_FRAME_SIDE = 480;

/** A source found and probed. */
export interface ResolvedSource {
  source: VideoSource;
  path: string;
  name: string;
  sha256: string;
  info: VideoInfo;
  /** The rate its frames are read at: a gallery video's own, an upload's chosen one. */
  fps: number;
  /** Frames read at `fps` (an estimate from the duration when resampled). */
  frames: number;
  /** A gallery item's record (its prompt is the default of an extension). */
  record?: GenerationRecord;
}

export async function resolveSource(
  source: VideoSource,
  deps: { library: Library; uploads: UploadStore },
  uploadFps: number = DEFAULT_VIDEO_FPS,
  signal?: AbortSignal,
): Promise<ResolvedSource> {
  if (source.kind === 'item') {
    const item = deps.library.get(source.itemId);
    if (!item) throw new EngineError('not_found', `library item ${source.itemId}: no such item`);
    if (item.media.ext !== 'mp4')
      throw new EngineError(
        'bad_request',
        `library item ${source.itemId} is ${item.record.mode === 'image' ? 'an image' : `a ${item.media.ext} file`}: only videos can be extended`,
      );
    const path = deps.library.mediaPath(item.media.sha256);
    const info = await probeVideo(path, signal);
    const fps = item.record.grid?.fps ?? roundFps(info.fps);
    return {
      source,
      path,
      name: item.prompt,
      sha256: item.media.sha256,
      info,
      fps,
      frames: info.frames ?? Math.round((info.durationSeconds ?? 0) * fps),
      record: item.record,
    };
  }
  const upload = deps.uploads.get(source.uploadId);
  const info = await probeVideo(upload.path, signal);
  const duration = info.durationSeconds ?? (info.frames ?? 0) / info.fps;
  return {
    source,
    path: upload.path,
    name: upload.name,
    sha256: upload.sha256,
    info,
    fps: uploadFps,
    frames: Math.floor(duration * uploadFps + 1e-6),
  };
}

/** The centred crop of `ratio` in a width×height source, and the model's input size for that ratio. */
export function fitSource(
  width: number,
  height: number,
  ratio: string,
  manifest: Pick<PackageManifest, 'imageArea' | 'vision'>,
): SourceFit {
  const factor = manifest.vision.spatialFactor;
  const grid = generationSize(ratio, manifest.imageArea, factor);
  const target = { width: grid.width * factor, height: grid.height * factor };
  const scale = Math.min(width / target.width, height / target.height);
  const cropWidth = Math.min(width, Math.max(1, Math.round(target.width * scale)));
  const cropHeight = Math.min(height, Math.max(1, Math.round(target.height * scale)));
  return {
    ratio,
    crop: {
      x: Math.floor((width - cropWidth) / 2),
      y: Math.floor((height - cropHeight) / 2),
      width: cropWidth,
      height: cropHeight,
    },
    ...target,
  };
}

/** The ratios offered for a source, its default first: a gallery video's own shape, else the model's 1:1. */
export function sourceFits(
  resolved: Pick<ResolvedSource, 'source' | 'info'>,
  manifest: Pick<PackageManifest, 'imageArea' | 'vision'>,
): SourceFit[] {
  const { width, height } = resolved.info;
  const nearest = [...CROP_RATIOS].sort(
    (a, b) => ratioDistance(a, width, height) - ratioDistance(b, width, height),
  )[0]!;
  const first = resolved.source.kind === 'item' ? nearest : '1:1';
  return [first, ...CROP_RATIOS.filter((r) => r !== first)].map((r) => fitSource(width, height, r, manifest));
}

function ratioDistance(ratio: string, width: number, height: number): number {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  return Math.abs(Math.log(w / h) - Math.log(width / height));
}

/** What `videos.source` answers: the source, its last frame, and the fits to choose from. */
export async function describeSource(
  resolved: ResolvedSource,
  manifest: Pick<PackageManifest, 'imageArea' | 'vision'>,
  signal?: AbortSignal,
): Promise<VideoSourceInfo> {
  const { info } = resolved;
  const scale = Math.min(1, LAST_FRAME_SIDE / Math.max(info.width, info.height));
  const size = {
    width: Math.max(1, Math.round(info.width * scale)),
    height: Math.max(1, Math.round(info.height * scale)),
  };
  const { frames } = await readVideoFrames(resolved.path, { size, last: 1, ...(signal ? { signal } : {}) });
  return {
    source: resolved.source,
    name: resolved.name,
    width: info.width,
    height: info.height,
    fps: resolved.fps,
    frames: resolved.frames,
    durationSeconds: info.durationSeconds ?? resolved.frames / resolved.fps,
    lastFrame: await pngDataUrl(frames.at(-1)!),
    fits: sourceFits(resolved, manifest),
    temporalFactor: manifest.vision.temporalDownsampleFactor,
    ...(resolved.record ? { prompt: resolved.record.prompt } : {}),
  };
}

/** The source's frames as the model takes them: the last MAX_SOURCE_FRAMES, cropped and resized to `fit`. */
export async function readSourceFrames(
  resolved: ResolvedSource,
  fit: SourceFit,
  signal?: AbortSignal,
): Promise<RgbFrame[]> {
  const { info } = resolved;
  const whole = fit.crop.width === info.width && fit.crop.height === info.height;
  const { frames } = await readVideoFrames(resolved.path, {
    ...(whole ? {} : { crop: fit.crop }),
    size: { width: fit.width, height: fit.height },
    ...(resolved.source.kind === 'upload' ? { fps: resolved.fps } : {}),
    last: MAX_SOURCE_FRAMES,
    ...(signal ? { signal } : {}),
  });
  return frames;
}

/** A rate with at most two decimals, as a video's meta text writes it (29.97002997… → 29.97). */
export function roundFps(fps: number): number {
  return Math.max(0.01, Math.round(fps * 100) / 100);
}
