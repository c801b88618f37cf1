/**
 * The weight-carrying pieces of the decoder graph: Linear layers in each precision, the token embedding and
 * norm scales. Every function reads one weight, converts it, hands it to the builder and lets it go, so
 * building an 8B decoder holds one weight (plus its converted copy) at a time.
 */
import { EngineError } from '../../api/index.js';
import type { DecoderConfig } from '../model-config.js';
import type { DecoderGraphOptions, WeightReader } from './decoder-graph.js';
import type { GraphBuilder } from './graph-builder.js';
import {
  float16Bits,
  quantizeForDequantizeLinear,
  quantizeForMatMulNBits,
  toFloat16,
  transpose,
} from './quantize.js';

/** ONNX TensorProto element types, for Cast's `to`. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_BOOL = 9;
export const ONNX_FLOAT16 = 10;

/** Block size of the int8/int4 weight quantization along K (MatMulNBits and DequantizeLinear alike). */
export const QUANT_BLOCK = 32;

export interface DecoderContext {
  b: GraphBuilder;
  config: DecoderConfig;
  options: DecoderGraphOptions;
  /** Activations and KV cache: float16 for fp16 precision; float32 otherwise (int8/int4 are weight-only). */
  act: 'float32' | 'float16';
  /** Reads a weight and checks its element count. */
  read(name: string, length: number): Promise<Float32Array>;
}

export function checkedReader(readWeight: WeightReader): DecoderContext['read'] {
  return async (name, length) => {
    const weight = await readWeight(name);
    if (weight.length !== length) {
      throw new EngineError(
        'invalid_file',
        `decoder weight ${name} holds ${weight.length} values; the config needs ${length}`,
      );
    }
    return weight;
  };
}

/**
 * `x @ W^T` for the PyTorch Linear weight `name` `[outFeatures, inFeatures]`; x is `[..., inFeatures]`.
 * fp32/fp16: MatMul on the transposed weight. int8/int4: com.microsoft MatMulNBits in the fused form (it
 * takes the `[N, K]` layout as is), and in the plain form standard DequantizeLinear (opset 21 blocked) feeding
 * a MatMul, which every provider runs and which ORT's CPU provider itself fuses back into MatMulNBits.
 */
export async function linear(
  ctx: DecoderContext,
  x: string,
  name: string,
  outFeatures: number,
  inFeatures: number,
  outputName?: string,
): Promise<string> {
  const { b, options } = ctx;
  const weight = await ctx.read(name, outFeatures * inFeatures); // [out, in]
  const outputs = outputName === undefined ? 1 : [outputName];
  const single = (op: string, inputs: string[], attrs?: Record<string, number>, fused = false) =>
    b.node(op, inputs, { outputs, attrs, domain: fused ? 'com.microsoft' : undefined })[0]!;

  if (options.precision === 'fp32' || options.precision === 'fp16') {
    const size = outFeatures * inFeatures;
    const w =
      options.precision === 'fp32'
        ? b.initializer(
            name,
            'float32',
            [inFeatures, outFeatures],
            transpose(weight, outFeatures, inFeatures, new Float32Array(size)),
          )
        : b.initializer(
            name,
            'float16',
            [inFeatures, outFeatures],
            transpose(weight, outFeatures, inFeatures, new Uint16Array(size), float16Bits),
          ); // [in, out]
    return single('MatMul', [x, w]); // [..., out]
  }

  const bits = options.precision === 'int8' ? 8 : 4;
  if (options.attention === 'fused') {
    const q = quantizeForMatMulNBits(weight, outFeatures, inFeatures, bits, QUANT_BLOCK);
    const blob = (QUANT_BLOCK * bits) / 8;
    const packed = b.initializer(`${name}.q${bits}`, 'uint8', [outFeatures, q.kBlocks, blob], q.b); // [N, kBlocks, blob]
    const scales = b.initializer(`${name}.scales`, 'float32', [outFeatures, q.kBlocks], q.scales); // [N, kBlocks]
    const zpDims = [outFeatures, Math.ceil((q.kBlocks * bits) / 8)];
    const zeroPoints = b.initializer(`${name}.zero_points`, 'uint8', zpDims, q.zeroPoints); // [N, ceil(kBlocks*bits/8)]
    const attrs = { K: inFeatures, N: outFeatures, bits, block_size: QUANT_BLOCK };
    return single('MatMulNBits', [x, packed, scales, zeroPoints], attrs, true); // [..., out]
  }
  const q = quantizeForDequantizeLinear(weight, outFeatures, inFeatures, bits, QUANT_BLOCK);
  const codeType = bits === 8 ? 'uint8' : 'uint4';
  const codes = b.initializer(`${name}.q${bits}`, codeType, [inFeatures, outFeatures], q.data); // [in, out]
  const scales = b.initializer(`${name}.scales`, 'float32', [q.kBlocks, outFeatures], q.scales); // [kBlocks, out]
  const zeroPoints = b.initializer(`${name}.zero_points`, codeType, [q.kBlocks, outFeatures], q.zeroPoints); // [kBlocks, out]
  const w = b.op('DequantizeLinear', [codes, scales, zeroPoints], { axis: 0, block_size: QUANT_BLOCK }); // [in, out] float32
  return single('MatMul', [x, w]); // [..., out]
}

/** A 1-D weight (norm scale) in the activation type. */
export async function vectorWeight(ctx: DecoderContext, name: string, length: number): Promise<string> {
  const weight = await ctx.read(name, length); // [length]
  return ctx.act === 'float16'
    ? ctx.b.initializer(name, 'float16', [length], toFloat16(weight))
    : ctx.b.initializer(name, 'float32', [length], weight);
}

/**
 * Token embedding `[B, S] → [B, S, H]`. It stays float32 for int8/int4: a Gather reads one row per token, so
 * quantizing it saves memory but no time, and keeps the first layer's input exact.
 */
export async function embedding(ctx: DecoderContext, inputIds: string): Promise<string> {
  const { vocabSize, hiddenSize } = ctx.config;
  const name = 'model.embed_tokens.weight';
  const weight = await ctx.read(name, vocabSize * hiddenSize); // [V, H]
  const table =
    ctx.act === 'float16'
      ? ctx.b.initializer(name, 'float16', [vocabSize, hiddenSize], toFloat16(weight))
      : ctx.b.initializer(name, 'float32', [vocabSize, hiddenSize], weight);
  return ctx.b.op('Gather', [table, inputIds]); // [B, S, H]
}

export function configProblem(config: DecoderConfig): string | undefined {
  const { numHeads, numKvHeads, headDim, hiddenSize, intermediateSize, vocabSize, numLayers } = config;
  const sizes = { numHeads, numKvHeads, headDim, hiddenSize, intermediateSize, vocabSize, numLayers };
  for (const [key, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value <= 0) return `${key} must be a positive integer, not ${value}`;
  }
  if (numHeads % numKvHeads !== 0)
    return `numHeads ${numHeads} is not a multiple of numKvHeads ${numKvHeads}`;
  if (headDim % 2 !== 0) return `headDim ${headDim} must be even for rotary embeddings`;
  return undefined;
}
