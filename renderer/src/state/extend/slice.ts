/**
 * The Extend dialog: a source on its way (a file uploading, or a gallery video being read), then the source
 * as the model will see it (its last frame and the crop) with the user's choices, or the one line saying
 * why a file cannot be extended.
 */
import type { StateCreator } from 'zustand';
import {
  MAX_LATENT_FRAMES,
  MAX_PROMPT_CHARS,
  MAX_VIDEO_FPS,
  VideoFps,
  type ExtendParams,
  type VideoSourceInfo,
} from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface ExtendForm {
  /** Latent frames to add. */
  frames: string;
  /** Latent frames at the end of the source to continue from. */
  context: string;
  ratio: string;
  /** An upload's frame rate (a gallery video keeps its own). */
  fps: string;
  prompt: string;
  /** Empty: a random seed. */
  seed: string;
}
export type ExtendField = keyof ExtendForm;

export type ExtendDialog =
  | { status: 'uploading'; name: string; loaded: number; total: number }
  | { status: 'loading'; name: string }
  | {
      status: 'ready';
      info: VideoSourceInfo;
      form: ExtendForm;
      errors: Partial<Record<ExtendField, string>>;
      queuing: boolean;
      /** Why the engine refused the extension (one line). */
      error: string | null;
    }
  | { status: 'failed'; name: string; message: string };

export interface ExtendSlice {
  extendDialog: ExtendDialog | null;
  extendUploading(name: string, loaded: number, total: number): void;
  extendLoading(name: string): void;
  extendReady(info: VideoSourceInfo): void;
  extendFailed(name: string, message: string): void;
  setExtendField(field: ExtendField, value: string): void;
  extendQueuing(queuing: boolean, error?: string | null, errors?: Partial<Record<ExtendField, string>>): void;
  closeExtend(): void;
}

/** Latent frames added when the user does not say: half a second at 8 fps per frame, two of them. */
export const DEFAULT_ADD = 2;
export const DEFAULT_CONTEXT = 2;

export const createExtendSlice: StateCreator<StudioState, [], [], ExtendSlice> = (set) => ({
  extendDialog: null,
  extendUploading: (name, loaded, total) =>
    set({ extendDialog: { status: 'uploading', name, loaded, total } }),
  extendLoading: (name) => set({ extendDialog: { status: 'loading', name } }),
  extendReady: (info) =>
    set({
      extendDialog: {
        status: 'ready',
        info,
        form: defaultForm(info),
        errors: {},
        queuing: false,
        error: null,
      },
    }),
  extendFailed: (name, message) => set({ extendDialog: { status: 'failed', name, message } }),
  setExtendField: (field, value) =>
    set((state) => {
      const dialog = state.extendDialog;
      if (dialog?.status !== 'ready') return {};
      const errors = { ...dialog.errors };
      delete errors[field];
      return { extendDialog: { ...dialog, form: { ...dialog.form, [field]: value }, errors, error: null } };
    }),
  extendQueuing: (queuing, error = null, errors) =>
    set((state) => {
      const dialog = state.extendDialog;
      if (dialog?.status !== 'ready') return {};
      return { extendDialog: { ...dialog, queuing, error, ...(errors ? { errors } : {}) } };
    }),
  closeExtend: () => set({ extendDialog: null }),
});

export function defaultForm(info: VideoSourceInfo): ExtendForm {
  const most = Math.floor(info.frames / info.temporalFactor);
  return {
    frames: String(DEFAULT_ADD),
    context: String(Math.max(1, Math.min(DEFAULT_CONTEXT, most))),
    ratio: info.fits[0]!.ratio,
    fps: String(info.fps),
    prompt: info.prompt ?? '',
    seed: '',
  };
}

/** Frames of the source at the form's rate: an upload is resampled, a gallery video is as it is. */
export function sourceFrames(info: VideoSourceInfo, form: ExtendForm): number {
  if (info.source.kind === 'item') return info.frames;
  const fps = Number(form.fps);
  return Number.isFinite(fps) && fps > 0 ? Math.floor(info.durationSeconds * fps + 1e-6) : 0;
}

export type ExtendBuild =
  { ok: true; params: ExtendParams } | { ok: false; errors: Partial<Record<ExtendField, string>> };

/** Checks the choices against the source; each bad field gets one line saying what it takes. */
export function buildExtension(info: VideoSourceInfo, form: ExtendForm): ExtendBuild {
  const errors: Partial<Record<ExtendField, string>> = {};
  const int = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);
  const frames = int(form.frames);
  if (!(frames >= 1 && frames <= MAX_LATENT_FRAMES))
    errors.frames = `A whole number from 1 to ${MAX_LATENT_FRAMES}.`;
  const upload = info.source.kind === 'upload';
  const fps = Number(form.fps);
  if (upload && !VideoFps.safeParse(fps).success)
    errors.fps = `Above 0, at most ${MAX_VIDEO_FPS}, two decimals at most.`;
  const most = Math.floor(sourceFrames(info, form) / info.temporalFactor);
  const context = int(form.context);
  if (most < 1)
    errors.context = `The source is shorter than one latent frame (${info.temporalFactor} frames).`;
  else if (!(context >= 1 && context <= most))
    errors.context = `A whole number from 1 to ${most}: the source has ${most} latent frame${most === 1 ? '' : 's'}.`;
  if (!info.fits.some((fit) => fit.ratio === form.ratio)) errors.ratio = 'Choose one of the crops.';
  if (form.prompt.length > MAX_PROMPT_CHARS) errors.prompt = `At most ${MAX_PROMPT_CHARS} characters.`;
  const seed = form.seed.trim() === '' ? undefined : int(form.seed);
  if (seed !== undefined && !(seed >= 0 && seed <= Number.MAX_SAFE_INTEGER))
    errors.seed = 'Empty for a random seed, or a whole number, 0 or more.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const prompt = form.prompt.trim();
  return {
    ok: true,
    params: {
      source: info.source,
      frames,
      context,
      ratio: form.ratio,
      ...(upload ? { fps } : {}),
      ...(prompt !== '' || info.prompt !== undefined ? { prompt } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
  };
}
