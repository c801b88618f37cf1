/** The processor list of a job, in the reference's order, from its record-level settings. */
import type { SamplingParams } from '../api/index.js';
import type { PackageManifest } from '../model/package-manifest.js';
import {
  LogitsProcessorList,
  PrefixConstraint,
  Temperature,
  TopK,
  TopP,
  type LogitsProcessor,
} from './logits-processors.js';

/**
 * The prefix constraint for a vision block (when `block` is given), then the sampling warpers (none when
 * greedy). The block's position is counted from the prompt's last `<|image token|>`, so context frames
 * already in the prompt (extension) are accounted for.
 */
export function processorsFor(
  manifest: PackageManifest,
  sampling: SamplingParams,
  block?: { height: number; width: number; frames: number; prompt: readonly number[] },
): { list: LogitsProcessorList; constraint: PrefixConstraint | null } {
  const processors: LogitsProcessor[] = [];
  let constraint: PrefixConstraint | null = null;
  if (block) {
    constraint = new PrefixConstraint({
      height: block.height,
      width: block.width,
      frames: block.frames,
      contextTokens: block.prompt.length - 1 - block.prompt.lastIndexOf(manifest.special.img),
      special: manifest.special,
      visual: manifest.visualTokens,
    });
    processors.push(constraint);
  }
  if (!sampling.greedy) {
    processors.push(new Temperature(sampling.temperature), new TopK(sampling.topK), new TopP(sampling.topP));
  }
  return { list: new LogitsProcessorList(processors), constraint };
}
