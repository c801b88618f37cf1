/**
 * Video in the protocol: how long a generated video is, where an extension's source comes from (a gallery
 * item or a file the user uploaded), what the engine reports about a source before an extension starts (its
 * size, rate, length and how it will be cropped to the model's size), filmstrips, exports and lineage.
 *
 * This file imports no other protocol file but generation.ts and library.ts: protocol.ts spreads
 * `VideoMethods` into its method map.
 */
import { z } from 'zod';
import { MAX_PROMPT_CHARS, SamplingParams } from './generation.js';
import { ItemId, LibraryItemSummary } from './library.js';

/** The most latent frames one request generates (each decodes to the temporal factor in frames). */
export const MAX_LATENT_FRAMES = 64;
/** The frame rates a video may have: a positive number with at most two decimals (docs/token-format.md). */
export const MAX_VIDEO_FPS = 120;
/** The rate a generated video and an uploaded source default to. */
export const DEFAULT_VIDEO_FPS = 8;

export const VideoFps = z
  .number()
  .positive()
  .max(MAX_VIDEO_FPS)
  .refine((fps) => Math.abs(fps * 100 - Math.round(fps * 100)) < 1e-6, 'at most two decimals');

/** The length and rate of a text-to-video request; protocol.ts adds them to the image request. */
export const VideoLength = z.strictObject({
  /** Latent frames. */
  frames: z.number().int().min(1).max(MAX_LATENT_FRAMES),
  fps: VideoFps,
});

/** The ratios a source can be cropped to, besides its own. */
export const CROP_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16'] as const;
const Ratio = z.string().regex(/^\d{1,4}:\d{1,4}$/, 'expected "W:H", e.g. "16:9"');

/** An upload's id: the engine names it, the client only repeats it. */
export const UploadId = z.string().regex(/^[0-9a-f-]{36}$/, 'expected an upload id');

/** What an extension continues: a video in the gallery, or a file uploaded to the engine. */
export const VideoSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('item'), itemId: ItemId }),
  z.strictObject({ kind: z.literal('upload'), uploadId: UploadId }),
]);
export type VideoSource = z.infer<typeof VideoSource>;

export const ExtendParams = z.strictObject({
  source: VideoSource,
  /** Latent frames to add. */
  frames: z.number().int().min(1).max(MAX_LATENT_FRAMES),
  /** Latent frames at the end of the source the model continues from. */
  context: z.number().int().min(1).max(MAX_LATENT_FRAMES),
  /** The crop (centred) the source is cut to before it is resized to the model's grid; default 1:1. */
  ratio: Ratio.optional(),
  /** An upload is resampled to this rate; a gallery item keeps its own. */
  fps: VideoFps.optional(),
  /** Default: the source's own prompt when it carries a record, else none. */
  prompt: z.string().max(MAX_PROMPT_CHARS).optional(),
  negativePrompt: z.string().max(MAX_PROMPT_CHARS).optional(),
  sampling: z.strictObject(SamplingParams.partial().shape).optional(),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
export type ExtendParams = z.infer<typeof ExtendParams>;

const PositiveInt = z.number().int().positive();
const Rect = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: PositiveInt,
  height: PositiveInt,
});

/** How a source becomes the model's input for one ratio: the centred crop, then the size it is resized to. */
export const SourceFit = z.object({
  ratio: Ratio,
  /** In the source's pixels. */
  crop: Rect,
  /** The model's input in pixels (a multiple of its spatial factor). */
  width: PositiveInt,
  height: PositiveInt,
});
export type SourceFit = z.infer<typeof SourceFit>;

/** What the engine knows of a source before an extension starts. */
export const VideoSourceInfo = z.object({
  source: VideoSource,
  /** The file's name (an upload) or the item's prompt. */
  name: z.string(),
  width: PositiveInt,
  height: PositiveInt,
  fps: z.number().positive(),
  /** Frames the extension reads from it (after resampling an upload to `fps`). */
  frames: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  /** The source's last frame, at most 480 pixels a side: what the crop is drawn on. */
  lastFrame: z.string().startsWith('data:image/png;base64,'),
  /** One fit per ratio the user may choose, the default first. */
  fits: z.array(SourceFit).min(1),
  /** Video frames per latent frame of the active model. */
  temporalFactor: PositiveInt,
  /** The source's prompt, when it carries a record. */
  prompt: z.string().optional(),
});
export type VideoSourceInfo = z.infer<typeof VideoSourceInfo>;

/** Evenly spaced frames of a gallery video, for the detail view. */
export const Filmstrip = z.object({
  itemId: ItemId,
  /** Frames in the whole video. */
  total: z.number().int().nonnegative(),
  fps: z.number().positive(),
  frames: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      seconds: z.number().nonnegative(),
      image: z.string().startsWith('data:image/png;base64,'),
    }),
  ),
});
export type Filmstrip = z.infer<typeof Filmstrip>;

/** The formats a video exports as: its own MP4 (the record inside), and animated GIF and WebP. */
export const VideoExportFormat = z.enum(['mp4', 'gif', 'webp']);
export type VideoExportFormat = z.infer<typeof VideoExportFormat>;
/** The formats an image exports as: its own PNG (the record inside), and WebP and JPEG copies without it. */
export const ImageExportFormat = z.enum(['png', 'webp', 'jpg']);
export type ImageExportFormat = z.infer<typeof ImageExportFormat>;
/**
 * What a gallery item downloads as (`GET /api/export/<id>.<format>` on the web host): a video's formats or
 * an image's, by the item's kind; `webp` is an animation for a video and a still for an image.
 */
export const ExportFormat = z.enum(['mp4', 'gif', 'webp', 'png', 'jpg']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/**
 * An item's family: its ancestors from the root, the item, then the line of its newest descendants; `index`
 * is where the item is. Trashed items stay in the chain (with `trashedAt` set), so the chain never breaks.
 */
export const Lineage = z.object({
  chain: z.array(LibraryItemSummary).min(1),
  index: z.number().int().nonnegative(),
  /** The item's own children, newest first. */
  children: z.array(LibraryItemSummary),
});
export type Lineage = z.infer<typeof Lineage>;

/** The methods of this file, spread into protocol.ts's map. */
export const VideoMethods = {
  /** What an extension of this source would read, and the crops it may use. */
  'videos.source': { params: z.strictObject({ source: VideoSource }), result: VideoSourceInfo },
  'videos.filmstrip': {
    params: z.strictObject({ itemId: ItemId, count: z.number().int().min(1).max(64).default(16) }),
    result: Filmstrip,
  },
  /** Forgets an upload the user decided not to extend. */
  'uploads.discard': { params: z.strictObject({ uploadId: UploadId }), result: z.object({}) },
  'library.lineage': { params: z.strictObject({ id: ItemId }), result: Lineage },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

/**
 * The web host's route for a video to extend: `POST` the file as the body, its name in `?name=`, with the
 * launch secret; answered with a `VideoSourceInfo`. Any container and codec ffmpeg reads is taken (unlike
 * Ask's `/api/upload`, which keeps files the browser can show): it is probed on arrival and kept only until
 * the engine restarts a day later.
 */
export const VIDEO_UPLOAD_PATH = '/api/video-upload';
/** The largest video upload the engine takes. */
export const MAX_VIDEO_UPLOAD_BYTES = 512 * 1024 * 1024;
/** Declared types refused at once (ffmpeg decides the rest): not a video whatever the bytes say. */
export function isRefusedUploadType(type: string): boolean {
  return /^(image|text|audio|font|model)\//i.test(type) || /^application\/(json|pdf|zip|x-)/i.test(type);
}
