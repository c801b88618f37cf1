/** Opens MODEL for a command, with the import progress bar when MODEL is a checkpoint seen for the first time. */
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import type { ModelCommandOptions } from './options.js';
import { createProgress } from './progress.js';

export async function openModelForCli(path: string, options: ModelCommandOptions): Promise<ModelHandle> {
  const progress = createProgress(options.json ?? false);
  try {
    return await openModel(path, {
      provider: options.provider,
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.vq ? { visionDir: options.vq } : {}),
      ...(options.precision ? { precision: options.precision } : {}),
      onProgress: ({ phase, done, total }) => progress.update(phase, done, total),
    });
  } finally {
    progress.finish();
  }
}

/** When the user named a provider and it could not start, say so once on stderr. */
export function reportFallbacks(requested: string, fallbacks: { provider: string; reason: string }[]): void {
  if (requested === 'auto') return;
  for (const { provider, reason } of fallbacks)
    process.stderr.write(`emu3: ${provider} unavailable (${reason}); using the next provider\n`);
}
