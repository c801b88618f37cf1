/**
 * The sampling warpers of transformers' `generate` (temperature, top-k, top-p), with the reference's image
 * defaults temperature 1, top-k 2048, top-p 1 (docs/emu3-facts.md#sampling-defaults). Each works on one row
 * `[V]` in place and keeps its scratch between steps: V is 184,622 and a 720² image takes 8,193 steps.
 */
import { EngineError } from '../../api/index.js';
import type { LogitsProcessor } from '../logits-processors.js';
import { kthSmallest } from './select.js';

/** scores / t: t > 1 flattens the distribution, t < 1 sharpens it; t = 1 leaves it alone. */
export class Temperature implements LogitsProcessor {
  readonly name: string;

  constructor(readonly temperature: number) {
    if (!Number.isFinite(temperature) || temperature <= 0) {
      throw new EngineError('bad_request', `temperature must be a finite number > 0, got ${temperature}`);
    }
    this.name = `temperature(${temperature})`;
  }

  apply(scores: Float32Array): void {
    if (this.temperature === 1) return;
    // Divided, not multiplied by 1/t, to round exactly as transformers' TemperatureLogitsWarper does.
    for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / this.temperature;
  }
}

/**
 * Keeps the k highest scores (Fan et al. 2018): as transformers' TopKLogitsWarper, every score >= the k-th
 * largest survives, so ties at the k-th value are all kept. A row with at most k finite scores is unchanged.
 * The k-th largest is found by quickselect over the finite scores only, O(V), never a sort of the row.
 */
export class TopK implements LogitsProcessor {
  readonly name: string;
  private scratch = new Float32Array(0);

  constructor(readonly k: number) {
    if (!Number.isSafeInteger(k) || k < 1) {
      throw new EngineError('bad_request', `top_k must be an integer >= 1, got ${k}`);
    }
    this.name = `top-k(${k})`;
  }

  apply(scores: Float32Array): void {
    if (this.k >= scores.length) return;
    if (this.scratch.length < scores.length) this.scratch = new Float32Array(scores.length);
    // After the prefix constraint only the 32,768 visual scores are finite; select among those alone.
    const finite = this.scratch;
    let n = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i]! > -Infinity) finite[n++] = scores[i]!;
    if (n <= this.k) return;
    const threshold = kthSmallest(finite, n, n - this.k);
    for (let i = 0; i < scores.length; i++) if (scores[i]! < threshold) scores[i] = -Infinity;
  }
}

/**
 * Nucleus sampling (Holtzman et al. 2020), as transformers' TopPLogitsWarper: sort ascending, take cumulative
 * softmax probabilities, remove the tokens whose cumulative probability is <= 1 − p, always keep the highest.
 * Only the finite scores are sorted (after top-k, 2,048 of them). Ties at the cut are all kept (transformers
 * splits them by sort order), so the kept set never depends on sort stability. p = 1 leaves the row alone.
 */
export class TopP implements LogitsProcessor {
  readonly name: string;
  private scratch = new Float32Array(0);

  constructor(readonly p: number) {
    if (!(p > 0 && p <= 1)) {
      throw new EngineError('bad_request', `top_p must be in (0, 1], got ${p}`);
    }
    this.name = `top-p(${p})`;
  }

  apply(scores: Float32Array): void {
    if (this.p === 1) return;
    if (this.scratch.length < scores.length) this.scratch = new Float32Array(scores.length);
    let n = 0;
    let max = -Infinity;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s > -Infinity) {
        this.scratch[n++] = s;
        if (s > max) max = s;
      }
    }
    if (n <= 1) return;
    const sorted = this.scratch.subarray(0, n).sort(); // ascending, numeric
    let total = 0; // float64: the probabilities are summed in full precision
    for (let j = 0; j < n; j++) total += Math.exp(sorted[j]! - max);
    const removeUpTo = (1 - this.p) * total; // compare unnormalised sums: cum/total <= 1 − p
    let cumulative = 0;
    let cut = n - 1; // the highest score is always kept
    for (let j = 0; j < n - 1; j++) {
      cumulative += Math.exp(sorted[j]! - max);
      if (cumulative > removeUpTo) {
        cut = j;
        break;
      }
    }
    const threshold = sorted[cut]!;
    for (let i = 0; i < scores.length; i++) if (scores[i]! < threshold) scores[i] = -Infinity;
  }
}
