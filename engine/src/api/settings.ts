/**
 * The studio's settings: which execution provider runs the models and with how many CPU threads (kept in
 * the library database, applied at once by reloading the active model), and where the library lives (kept
 * beside the library in the studio home, applied at the next start). `settings.get` also reports what
 * actually runs: the provider the active model's decoder started on, and every provider that could not
 * start with why.
 */
import { z } from 'zod';

export const ProviderSetting = z.enum(['auto', 'webgpu', 'cuda', 'dml', 'cpu']);
export type ProviderSetting = z.infer<typeof ProviderSetting>;
export const RunningProvider = ProviderSetting.exclude(['auto']);
export type RunningProvider = z.infer<typeof RunningProvider>;

export const MAX_THREADS = 256;

export const StudioSettings = z.object({
  provider: ProviderSetting,
  /** Intra-op threads on the CPU; 0 leaves it to ONNX Runtime (all cores). */
  threads: z.number().int().min(0).max(MAX_THREADS),
});
export type StudioSettings = z.infer<typeof StudioSettings>;

/** What the active model runs on. */
export const RuntimeReport = z.object({
  /** null when no model is active. */
  provider: RunningProvider.nullable(),
  /** Providers tried before it that could not start, best first. */
  fallbacks: z.array(z.object({ provider: RunningProvider, reason: z.string() })),
  /** Why the active model could not start at all, if it could not. */
  error: z.string().nullable(),
});
export type RuntimeReport = z.infer<typeof RuntimeReport>;

export const SettingsState = z.object({
  settings: StudioSettings,
  runtime: RuntimeReport,
  library: z.object({
    /** The library in use: library.sqlite and media/. */
    dir: z.string(),
    /** Imported model packages. */
    modelsDir: z.string(),
    /** A new library folder chosen for the next start; null when none is pending. */
    pendingDir: z.string().nullable(),
  }),
  /** Logical CPU cores of the engine's machine. */
  cpuCount: z.number().int().positive(),
});
export type SettingsState = z.infer<typeof SettingsState>;

export const SettingsPatch = z.strictObject({
  provider: ProviderSetting.optional(),
  threads: z.number().int().min(0).max(MAX_THREADS).optional(),
  /** A full path; used from the next start on. */
  libraryDir: z.string().trim().min(1).max(4096).optional(),
});
export type SettingsPatch = z.input<typeof SettingsPatch>;

export const SettingsMethods = {
  'settings.get': { params: z.strictObject({}), result: SettingsState },
  /** Saves the changes; a new provider or thread count reloads the active model with them. */
  'settings.set': { params: SettingsPatch, result: SettingsState },
} as const;

export const SettingsEvents = {
  'settings.changed': SettingsState,
} as const;
