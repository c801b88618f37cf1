/** What the generating commands share: opening the model, a progress bar, Ctrl+C as a cancel, and the summary. */
import type { GenerationProgress } from '../generate/progress.js';
import { bundledModelDir } from '../install/package-info.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { openModelForCli, reportFallbacks } from './open-model-cli.js';
import type { ModelCommandOptions } from './options.js';
import { createProgress, type Progress } from './progress.js';

export interface JobContext {
  model: ModelHandle;
  signal: AbortSignal;
  progress: Progress;
  onProgress: (p: GenerationProgress) => void;
}

/** Runs `work` with a model; Ctrl+C aborts it, and the model is closed whatever happens. */
export async function runModelJob<T>(
  modelPath: string | undefined,
  options: ModelCommandOptions,
  work: (context: JobContext) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  const progress = createProgress(options.json ?? false);
  // No --model: the bundled nano model, imported into the library on first use like any checkpoint.
  const model = await openModelForCli(modelPath ?? bundledModelDir(), options);
  try {
    const { fallbacks } = await model.session('decoder');
    reportFallbacks(options.provider, fallbacks);
    return await work({
      model,
      signal: controller.signal,
      progress,
      onProgress: ({ done, total }) => progress.update('generate', done, total),
    });
  } finally {
    progress.finish();
    process.off('SIGINT', cancel);
    await model.close();
  }
}

export function describeSpeed(tokens: number, seconds: number): string {
  return `${tokens} tokens in ${seconds.toFixed(1)} s (${(tokens / Math.max(seconds, 1e-9)).toFixed(1)} tokens/s)`;
}
