/**
 * A decoder of Emu3-8B's layer shape (docs/emu3-facts.md#checkpoint-configs: hidden 4096, 32 heads / 8 KV
 * heads, head_dim 128, MLP 14336, vocab 184622, rope theta 1e6) with seeded random weights and only a few
 * layers, built by the engine's own `buildDecoderGraph` (fused form, as `importModel` builds it). Per-layer
 * cost is the difference between two layer counts; the rest (embedding gather, final norm, lm_head, logits
 * read-back) is the intercept. Also: how many bytes a decode step must read, for the bandwidth floor.
 */
import { closeSync, fsyncSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderConfig } from '../model/model-config.js';
import { buildDecoderGraph, type Precision, type WeightReader } from '../model/onnx/decoder-graph.js';
import { QUANT_BLOCK } from '../model/onnx/decoder-linear.js';
import { EMU3_GEN } from '../model/reference-fixtures.js';
import { seededFloat32 } from './bench-measure.js';

export const EMU3_8B_LAYERS = 32;

/** Emu3-Gen's decoder with `numLayers` layers. */
export function emu3Shape(numLayers: number): DecoderConfig {
  return { ...EMU3_GEN.decoder, numLayers };
}

/** Element count of a canonical decoder weight. */
function weightLength(config: DecoderConfig, name: string): number {
  const { hiddenSize: h, numHeads, numKvHeads, headDim, intermediateSize: i, vocabSize } = config;
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return vocabSize * h;
  if (name.endsWith('norm.weight')) return h;
  if (/\.(q_proj|o_proj)\.weight$/.test(name)) return numHeads * headDim * h;
  if (/\.(k_proj|v_proj)\.weight$/.test(name)) return numKvHeads * headDim * h;
  if (/\.(gate_proj|up_proj|down_proj)\.weight$/.test(name)) return i * h;
  throw new Error(`no synthetic weight for ${name}`);
}

/**
 * Seeded random weights (uniform ±0.035, about initializer_range 0.02's spread; norms 1). Layers share one
 * array per projection and the embedding shares lm_head's, so building allocates each shape once; the graph
 * still holds separate initializers, as a real checkpoint's would be.
 */
export function randomWeights(config: DecoderConfig, seed: number): WeightReader {
  const made = new Map<string, Float32Array>();
  return async (name) => {
    const length = weightLength(config, name);
    const key = name === 'model.embed_tokens.weight' ? 'lm_head.weight' : name.replace(/layers\.\d+\./, '');
    let values = made.get(key);
    if (!values) {
      values = key.endsWith('norm.weight')
        ? new Float32Array(length).fill(1)
        : seededFloat32(length, seed + made.size * 7919, 0.035);
      made.set(key, values);
    }
    return values;
  };
}

export interface BuiltDecoder {
  graphPath: string;
  graphBytes: number;
  dataBytes: number;
  buildSeconds: number;
}

export async function buildSyntheticDecoder(
  dir: string,
  config: DecoderConfig,
  precision: Precision,
  seed = 1,
): Promise<BuiltDecoder> {
  const graphPath = join(dir, 'decoder.onnx');
  const start = performance.now();
  const graph = await buildDecoderGraph(config, randomWeights(config, seed), {
    precision,
    attention: 'fused',
    externalData: { path: join(dir, 'decoder.onnx.data'), location: 'decoder.onnx.data' },
  });
  writeFileSync(graphPath, graph);
  // Flush the gigabytes just written, so their write-back does not run under the next job's timings.
  for (const file of [graphPath, join(dir, 'decoder.onnx.data')]) {
    const fd = openSync(file, 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
  return {
    graphPath,
    graphBytes: graph.byteLength,
    dataBytes: statSync(join(dir, 'decoder.onnx.data')).size,
    buildSeconds: (performance.now() - start) / 1000,
  };
}

/** Bytes of one Linear weight [out, in] as the fused graph stores it (MatMulNBits: fp32 scales, uint8 zero points). */
export function linearBytes(precision: Precision, outFeatures: number, inFeatures: number): number {
  if (precision === 'fp32') return 4 * outFeatures * inFeatures;
  if (precision === 'fp16') return 2 * outFeatures * inFeatures;
  const bits = precision === 'int8' ? 8 : 4;
  const kBlocks = Math.ceil(inFeatures / QUANT_BLOCK);
  const codes = (outFeatures * kBlocks * QUANT_BLOCK * bits) / 8;
  const scales = outFeatures * kBlocks * 4;
  const zeroPoints = outFeatures * Math.ceil((kBlocks * bits) / 8);
  return codes + scales + zeroPoints;
}

export const activationBytes = (precision: Precision) => (precision === 'fp16' ? 2 : 4);

/** Weight bytes one decode step reads: one layer's projections and norms. */
export function layerWeightBytes(config: DecoderConfig, precision: Precision): number {
  const { hiddenSize: h, numHeads, numKvHeads, headDim, intermediateSize: i } = config;
  return (
    2 * linearBytes(precision, numHeads * headDim, h) + // q, o
    2 * linearBytes(precision, numKvHeads * headDim, h) + // k, v
    3 * linearBytes(precision, i, h) + // gate, up, down (same size)
    2 * h * activationBytes(precision) // the two norms
  );
}

/** Weight bytes outside the layers that one decode step reads: lm_head, final norm, one embedding row per token. */
export function headWeightBytes(config: DecoderConfig, precision: Precision, batch: number): number {
  const act = activationBytes(precision);
  const embedRow = config.hiddenSize * (precision === 'fp16' ? 2 : 4); // the table stays fp32 for int8/int4
  return (
    linearBytes(precision, config.vocabSize, config.hiddenSize) + config.hiddenSize * act + batch * embedRow
  );
}

/**
 * Bytes a decode step must at least read: every weight once, the whole KV cache once (keys and values of
 * every layer and row at `depth` past tokens).
 */
export function stepReadBytes(
  config: DecoderConfig,
  precision: Precision,
  batch: number,
  depth: number,
): number {
  const kvCache =
    batch * config.numLayers * 2 * config.numKvHeads * depth * config.headDim * activationBytes(precision);
  return (
    config.numLayers * layerWeightBytes(config, precision) +
    headWeightBytes(config, precision, batch) +
    kvCache
  );
}
