import { describe, expect, it } from 'vitest';
import {
  LogitsProcessorList,
  Temperature,
  TopK,
  type LogitsProcessor,
  type ProcessorContext,
} from './logits-processors.js';

/** Records what it saw, then adds 1: shows the order and the context each processor gets. */
class AddOne implements LogitsProcessor {
  readonly seen: number[][] = [];
  constructor(readonly name: string) {}
  apply(scores: Float32Array, context: ProcessorContext): void {
    this.seen.push([...scores, context.generated.length]);
    for (let i = 0; i < scores.length; i++) scores[i]! += 1;
  }
}

describe('LogitsProcessorList', () => {
  it('applies its processors in order, in place, with the same context', () => {
    const first = new AddOne('a');
    const second = new AddOne('b');
    const list = new LogitsProcessorList([first, second]);
    const scores = Float32Array.of(0, 10);
    list.apply(scores, { generated: [7, 8] });
    expect(first.seen).toEqual([[0, 10, 2]]);
    expect(second.seen).toEqual([[1, 11, 2]]);
    expect(Array.from(scores)).toEqual([2, 12]);
    expect(list.name).toBe('a → b');
  });

  it('chains the real warpers: temperature 0.5 then top-k 1', () => {
    const scores = Float32Array.of(1, 3, 2);
    new LogitsProcessorList([new Temperature(0.5), new TopK(1)]).apply(scores, { generated: [] });
    expect(Array.from(scores)).toEqual([-Infinity, 6, -Infinity]);
  });

  it('is the identity when empty', () => {
    const scores = Float32Array.of(1, 2);
    const list = new LogitsProcessorList([]);
    list.apply(scores, { generated: [] });
    expect(Array.from(scores)).toEqual([1, 2]);
    expect(list.name).toBe('none');
  });
});
