/**
 * The host-side part of one Emu3-8B image step, which runs on the CPU whatever the provider: guidance mix
 * of two 184,622-score rows, the prefix constraint, the reference's warpers (temperature 1, top-k 2048,
 * top-p 1) and one seeded draw, exactly as decode-loop.ts chains them. Seeded random logits; positions
 * walk through a 90×90 grid so EOL steps are included in their real proportion.
 */
import {
  guidanceMix,
  LogitsProcessorList,
  PrefixConstraint,
  Temperature,
  TopK,
  TopP,
} from '../generate/logits-processors.js';
import { Rng } from '../generate/rng.js';
import { selectToken } from '../generate/sampling.js';
import { seededFloat32, timeRuns, type RunCounts, type Timing } from './bench-measure.js';

/** Emu3's special and visual ids (docs/emu3-facts.md#special-tokens). */
const EMU3_SPECIAL = {
  pad: 151643,
  eos: 151850,
  eoi: 151853,
  eol: 151846,
  eof: 151847,
};
const EMU3_VISUAL = { first: 151854, count: 32768 };
const EMU3_VOCAB = 184622;

export interface SamplingCost {
  vocab: number;
  guidance: number;
  topK: number;
  /** Milliseconds per step: guidance mix + processors + draw. */
  step: Timing;
}

export async function samplingCost(counts: RunCounts, stepsPerRun = 20): Promise<SamplingCost> {
  const cond = seededFloat32(EMU3_VOCAB, 11, 8);
  const uncond = seededFloat32(EMU3_VOCAB, 12, 8);
  const mixed = new Float32Array(EMU3_VOCAB);
  const processors = new LogitsProcessorList([
    new PrefixConstraint({ height: 90, width: 90, frames: 1, special: EMU3_SPECIAL, visual: EMU3_VISUAL }),
    new Temperature(1),
    new TopK(2048),
    new TopP(1),
  ]);
  const rng = new Rng(7);
  const generated: number[] = [];
  const step = await timeRuns(counts, async () => {
    const start = performance.now();
    for (let s = 0; s < stepsPerRun; s++) {
      guidanceMix(cond, uncond, 3, mixed);
      processors.apply(mixed, { generated });
      generated.push(selectToken(mixed, rng));
      if (generated.length >= 90 * 91) generated.length = 0;
    }
    return (performance.now() - start) / stepsPerRun;
  });
  return { vocab: EMU3_VOCAB, guidance: 3, topK: 2048, step };
}
