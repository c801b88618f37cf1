/**
 * The last step of each decoding step: one token out of the processed scores
 * (docs/emu3-facts.md#sampling-defaults).
 */
import { InternalError } from '../api/index.js';
import type { Rng } from './rng.js';

/**
 * Greedy when `rng` is null: the argmax, lowest index on ties (understanding's default:
 * docs/emu3-facts.md#sampling-defaults). Otherwise softmax and one multinomial draw: u = rng.nextFloat() (one
 * call per token), and the token is the first whose cumulative probability, in token order, exceeds u.
 * Deterministic given the rng's state, so a seed replays the same tokens. -Infinity scores never win; NaN
 * scores are skipped.
 */
export function selectToken(scores: Float32Array, rng: Rng | null): number {
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! > max) {
      max = scores[i]!;
      best = i;
    }
  }
  if (best < 0)
    throw new InternalError(`no token can be chosen: all ${scores.length} scores are -Infinity or NaN`);
  if (rng === null || max === Infinity) return best;

  // exp(s − max) in float64; masked tokens (-Infinity) are skipped, not exponentiated: after the prefix
  // constraint and top-k, all but ~2,048 of the 184,622 scores are.
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > -Infinity) total += Math.exp(s - max);
  }
  const target = rng.nextFloat() * total;
  let cumulative = 0;
  let last = best;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s > -Infinity)) continue;
    const weight = Math.exp(s - max);
    cumulative += weight;
    if (cumulative > target) return i;
    if (weight > 0) last = i;
  }
  return last; // float rounding left the cumulative a hair under the target: the last possible token
}
