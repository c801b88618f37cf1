import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../api/index.js';
import { buildDecoderGraph, type DecoderGraphOptions } from './decoder-graph.js';
import {
  DecoderRunner,
  leftPadded,
  maxAbsDiff,
  randomWeights,
  readerOf,
  referenceLogits,
  tinyConfig as config,
} from './decoder-graph.testkit.js';

const weights = randomWeights(config, 7);
const read = readerOf(weights);
const sequence = [5, 17, 42, 3, 88, 60, 61, 9, 33, 70, 12, 96, 0, 44];
const reference = referenceLogits(config, weights, sequence);
const positions = (length: number, from = 0) => Array.from({ length }, (_, i) => from + i);
const ones = (length: number) => Array<number>(length).fill(1);
const TOLERANCE = 1e-4;

async function runner(options: DecoderGraphOptions) {
  return DecoderRunner.create(await buildDecoderGraph(config, read, options), config);
}

describe.each(['plain', 'fused'] as const)('decoder graph, %s attention, fp32', (attention) => {
  const options: DecoderGraphOptions = { precision: 'fp32', attention };

  it('matches the reference forward pass at every position', async () => {
    const decoder = await runner(options);
    const S = sequence.length;
    const { rows, present } = await decoder.run({
      ids: [sequence],
      mask: [ones(S)],
      positions: [positions(S)],
      keep: S,
    });
    expect(rows[0]).toHaveLength(S);
    const diff = Math.max(...rows[0]!.map((logits, s) => maxAbsDiff(logits, reference[s]!)));
    console.log(`${attention} fp32 vs reference: max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(present['present.1.key']!.dims).toEqual([1, config.numKvHeads, S, config.headDim]);
    await decoder.release();
  });

  it('keeps only the last K logits; K = 0 keeps all', async () => {
    const decoder = await runner(options);
    const S = sequence.length;
    const step = { ids: [sequence], mask: [ones(S)], positions: [positions(S)] };
    const last = await decoder.run({ ...step, keep: 1 });
    expect(last.rows[0]).toHaveLength(1);
    expect(maxAbsDiff(last.rows[0]![0]!, reference[S - 1]!)).toBeLessThan(TOLERANCE);
    expect((await decoder.run({ ...step, keep: 0 })).rows[0]).toHaveLength(S);
    await decoder.release();
  });

  it('decodes token by token from its own cache, and in chunks, as the full pass does', async () => {
    const decoder = await runner(options);
    const prefix = 5;
    let { present } = await decoder.run({
      ids: [sequence.slice(0, prefix)],
      mask: [ones(prefix)],
      positions: [positions(prefix)],
      keep: 1,
    });
    for (let t = prefix; t < 10; t++) {
      const step = await decoder.run(
        { ids: [[sequence[t]!]], mask: [ones(t + 1)], positions: [[t]], keep: 1 },
        present,
      );
      expect(maxAbsDiff(step.rows[0]![0]!, reference[t]!)).toBeLessThan(TOLERANCE);
      expect(step.present['present.0.value']!.dims).toEqual([1, config.numKvHeads, t + 1, config.headDim]);
      present = step.present;
    }
    // A chunk of several new tokens on top of a cache (causal inside the chunk, full over the past).
    const chunk = await decoder.run(
      { ids: [sequence.slice(10)], mask: [ones(sequence.length)], positions: [positions(4, 10)], keep: 4 },
      present,
    );
    chunk.rows[0]!.forEach((logits, k) =>
      expect(maxAbsDiff(logits, reference[10 + k]!)).toBeLessThan(TOLERANCE),
    );
    await decoder.release();
  });

  it('gives a left-padded batch of 2 the logits of each row alone, in prefill and cached decoding', async () => {
    const decoder = await runner(options);
    const long = sequence.slice(0, 11);
    const short = [9, 1, 77, 23, 54, 2];
    const width = long.length;
    const rows = [leftPadded(long, width, 0), leftPadded(short, width, 0)];
    const prefill = await decoder.run({
      ids: rows.map((r) => r.ids),
      mask: rows.map((r) => r.mask),
      positions: rows.map((r) => r.positions),
      keep: width,
    });
    const alone = [long, short].map((ids) => referenceLogits(config, weights, ids));
    const offsets = [0, width - short.length];
    let worst = 0;
    for (const b of [0, 1]) {
      for (let s = offsets[b]!; s < width; s++) {
        worst = Math.max(worst, maxAbsDiff(prefill.rows[b]![s]!, alone[b]![s - offsets[b]!]!));
      }
    }
    // Guidance-style steps: each row gets one new token and the mask a real column; then a 2-token chunk.
    let present = prefill.present;
    const grown = [long, short].map((ids) => ids.slice());
    const masks = rows.map((r) => r.mask.slice());
    for (const next of [
      [[31], [62]],
      [[8], [50]],
      [
        [4, 93],
        [15, 27],
      ],
    ]) {
      const before = grown.map((ids) => ids.length);
      grown.forEach((ids, b) => ids.push(...next[b]!));
      masks.forEach((m) => m.push(...next[0]!.map(() => 1)));
      const stepPositions = next.map((ids, b) => ids.map((_, k) => before[b]! + k));
      const run = decoder.run(
        { ids: next, mask: masks, positions: stepPositions, keep: next[0]!.length },
        present,
      );
      if (attention === 'fused' && next[0]!.length > 1) {
        // ORT's GroupQueryAttention (CPU, 1.30) takes several new tokens on top of a cache for batch 1 only.
        await expect(run).rejects.toThrow(
          'batch_size must be 1 when sequence_length > 1 and past context is given',
        );
        break;
      }
      const step = await run;
      for (const b of [0, 1]) {
        const expected = referenceLogits(config, weights, grown[b]!).slice(before[b]);
        expected.forEach((logits, k) => (worst = Math.max(worst, maxAbsDiff(step.rows[b]![k]!, logits))));
      }
      present = step.present;
    }
    console.log(`${attention} fp32 left-padded batch vs rows alone: max abs diff ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    await decoder.release();
  });
});

describe('decoder graph building', () => {
  it('streams weights to external data that ONNX Runtime loads, with the same logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu3-decoder-'));
    try {
      const externalData = { path: join(dir, 'decoder.onnx.data'), location: 'decoder.onnx.data' };
      const model = await buildDecoderGraph(config, read, {
        precision: 'fp32',
        attention: 'fused',
        externalData,
      });
      writeFileSync(join(dir, 'decoder.onnx'), model);
      expect(model.byteLength).toBeLessThan(64 * 1024);
      expect(statSync(externalData.path).size).toBeGreaterThan(4 * config.vocabSize * config.hiddenSize * 2);
      const decoder = await DecoderRunner.create(join(dir, 'decoder.onnx'), config);
      const S = 6;
      const { rows } = await decoder.run({
        ids: [sequence.slice(0, S)],
        mask: [ones(S)],
        positions: [positions(S)],
        keep: S,
      });
      rows[0]!.forEach((logits, s) => expect(maxAbsDiff(logits, reference[s]!)).toBeLessThan(TOLERANCE));
      await decoder.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads each weight once, by its canonical name', async () => {
    const seen: string[] = [];
    await buildDecoderGraph(
      config,
      async (name) => {
        seen.push(name);
        return read(name);
      },
      { precision: 'int4', attention: 'fused' },
    );
    expect(seen.slice().sort()).toEqual([...weights.keys()].sort());
  });

  it('names a weight whose size does not fit the config', async () => {
    const short = async (name: string) => (name.endsWith('k_proj.weight') ? new Float32Array(3) : read(name));
    const error = await buildDecoderGraph(config, short, { precision: 'fp32', attention: 'plain' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect(String(error)).toContain('model.layers.0.self_attn.k_proj.weight holds 3 values');
  });

  it('refuses a config whose heads do not group', async () => {
    const bad = { ...config, numKvHeads: 3 };
    await expect(buildDecoderGraph(bad, read, { precision: 'fp32', attention: 'fused' })).rejects.toThrow(
      'not a multiple of numKvHeads',
    );
  });
});
