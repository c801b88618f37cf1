/**
 * Logits processors: small classes that each change one row of scores `[V]` in place and check their
 * arguments when built (docs/generation.md#logits-processors). The loop applies them in the reference's order
 * (docs/emu3-facts.md#guidance): guidance first (a function of two rows, see `guidanceMix`), then the prefix
 * constraint, then the sampling warpers temperature → top-k → top-p, then `selectToken`.
 */
export interface ProcessorContext {
  /** Tokens generated so far in this job (new tokens only, not the prompt). */
  readonly generated: readonly number[];
}

export interface LogitsProcessor {
  /** For logs and errors, e.g. `top-k(2048)`. */
  readonly name: string;
  /** Changes `scores` ([V]) in place; a removed token becomes -Infinity. */
  apply(scores: Float32Array, context: ProcessorContext): void;
}

/**
 * Watches the raw model scores of the conditional row (row 0) as the loop steps, without changing anything:
 * the loop calls it once per new token, after the token is chosen, with the row as the model gave it. The
 * processors never touch that row while an observer is set (they work on a copy, or on guidance's mix), so
 * what the observer sees is independent of guidance, temperature, top-k/top-p and the prefix constraint.
 */
export interface LogitsObserver {
  /**
   * `raw` is the conditional row's logits [V] at the step that chose `token` (do not change or keep it: the
   * next step reuses the memory); `logSumExp` is log Σ exp(raw), computed once per step for guidance too.
   */
  observe(raw: Float32Array, logSumExp: number, token: number): void;
}

/** Processors applied one after the other, in the order given. */
export class LogitsProcessorList implements LogitsProcessor {
  readonly name: string;
  readonly processors: readonly LogitsProcessor[];

  constructor(processors: readonly LogitsProcessor[]) {
    this.processors = [...processors];
    this.name = this.processors.map((p) => p.name).join(' → ') || 'none';
  }

  apply(scores: Float32Array, context: ProcessorContext): void {
    for (const processor of this.processors) processor.apply(scores, context);
  }
}

export { CompletionLogProb } from './processors/completion-log-prob.js';
export { guidanceMix, logSoftmax, logSumExp } from './processors/guidance.js';
export { PrefixConstraint, type PrefixConstraintOptions } from './processors/prefix-constraint.js';
export { Temperature, TopK, TopP } from './processors/warpers.js';
