/**
 * The completion's log-probability under the model, captured while it is sampled: for every new token, the
 * log-softmax of the conditional row's raw logits at that token (docs/token-format.md#the-scored-completion).
 */
import type { LogitsObserver } from '../logits-processors.js';

/**
 * Sums log p(token | everything before it) over the tokens the loop emits, from the conditional row's raw
 * logits (before guidance, temperature, top-k/top-p and the prefix constraint), in float64. Tokens the
 * prefix constraint leaves no choice about (EOL, EOF, EOI, EOS) are counted like the others: the model
 * still gave them a probability, and a teacher-forced pass over the same ids counts them too.
 */
export class CompletionLogProb implements LogitsObserver {
  /** Σ of `perToken`. */
  sum = 0;
  /** One value per token observed, in order, for tests and diagnostics (8,193 numbers for a 720² image). */
  readonly perToken: number[] = [];

  observe(raw: Float32Array, logSumExp: number, token: number): void {
    const value = raw[token]! - logSumExp;
    this.perToken.push(value);
    this.sum += value;
  }
}
