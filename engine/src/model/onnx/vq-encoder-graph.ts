/**
 * The Emu3 vision tokenizer's encoder as one ONNX graph (docs/vision-tokenizer.md#encoder): pixels in, codes
 * out.
 *
 * Contract:
 * - input `pixels` float32 [batch, frames, 3, height, width] in [-1, 1]; frames a multiple of the temporal
 *   factor (an image is repeated that many times by the caller), height and width multiples of the spatial
 *   factor; all four dynamic.
 * - output `codes` int64 [batch, frames / temporal factor, height / spatial factor, width / spatial factor].
 * Nothing is cropped: every latent frame and position the convolutions produce is quantized.
 */
import type { VisionConfig } from '../model-config.js';
import { GraphBuilder } from './graph-builder.js';
import {
  checkVisionConfig,
  levelChannels,
  temporalLayers,
  VqBlocks,
  type WeightReader,
} from './vq-blocks.js';

export type { WeightReader } from './vq-blocks.js';

export async function buildVqEncoderGraph(
  config: VisionConfig,
  readWeight: WeightReader,
): Promise<Uint8Array> {
  checkVisionConfig(config);
  const g = new GraphBuilder({ name: 'emu3_vq_encoder' });
  const blocks = new VqBlocks(g, readWeight);
  const { ch, chMult, numResBlocks, attnResolutions, zChannels, embedDim, inChannels } = config;
  const channels = levelChannels(ch, chMult);
  const levels = chMult.length;

  const pixels = g.input('pixels', 'float32', ['batch', 'frames', inChannels, 'height', 'width']);
  // Every 2D layer sees the frames as independent images: fold T into the batch.
  const imageShape = g.op('Concat', [blocks.constant('int64', [-1]), g.op('Shape', [pixels], { start: 2 })], {
    axis: 0,
  }); // [4]: -1, 3, H, W
  let h = g.op('Reshape', [pixels, imageShape]); // [B*T, 3, H, W]
  h = await blocks.conv(h, 'encoder.conv_in', inChannels, ch, [3, 3]); // [B*T, ch, H, W]

  let blockIn = ch;
  for (let level = 0; level < levels; level++) {
    const blockOut = channels[level] as number;
    const withAttention = attnResolutions.includes(level);
    for (let i = 0; i < numResBlocks; i++) {
      h = await blocks.resnet(h, `encoder.down.${level}.block.${i}`, blockIn, blockOut); // [B*T, Cl, H_l, W_l]
      blockIn = blockOut;
      if (withAttention) h = await blocks.attention(h, `encoder.down.${level}.attn.${i}`, blockIn); // [B*T, Cl, H_l, W_l]
    }
    // Every level but the last halves H and W.
    if (level !== levels - 1) h = await blocks.downsample(h, `encoder.down.${level}.downsample`, blockIn); // [B*T, Cl, H_l/2, W_l/2]
  }

  h = await blocks.resnet(h, 'encoder.mid.block_1', blockIn, blockIn); // [B*T, Cm, h, w]
  h = await blocks.attention(h, 'encoder.mid.attn_1', blockIn); // [B*T, Cm, h, w]
  h = await blocks.resnet(h, 'encoder.mid.block_2', blockIn, blockIn); // [B*T, Cm, h, w]
  h = blocks.swish(await blocks.groupNorm(h, 'encoder.norm_out', blockIn)); // [B*T, Cm, h, w]
  h = await blocks.conv(h, 'encoder.conv_out', blockIn, zChannels, [3, 3]); // [B*T, Cz, h, w]

  // Unfold the frames into a time axis for the 3D layers.
  const videoShape = g.op('Concat', [g.op('Shape', [pixels], { end: 2 }), g.op('Shape', [h], { start: 1 })], {
    axis: 0,
  }); // [5]: B, T, Cz, h, w
  h = g.op('Reshape', [h, videoShape]); // [B, T, Cz, h, w]
  h = g.op('Transpose', [h], { perm: [0, 2, 1, 3, 4] }); // [B, Cz, T, h, w]
  for (let i = 0; i < temporalLayers(config.temporalDownsampleFactor); i++)
    h = blocks.swish(await blocks.temporalDownsample(h, `encoder.time_conv.${i}`, zChannels)); // [B, Cz, T/2^(i+1), h, w]
  for (let i = 0; i < numResBlocks; i++)
    h = await blocks.temporalResBlock(h, `encoder.time_res_stack.${i}`, zChannels); // [B, Cz, T', h, w]
  h = await blocks.causalConv3d(h, 'quant_conv', zChannels, embedDim, [3, 1, 1]); // [B, E, T', h, w]

  await appendQuantizer(g, blocks, h, config);
  g.output('codes', 'int64', ['batch', 'latent_frames', 'latent_height', 'latent_width']);
  return g.build();
}

/**
 * Nearest codebook entry by L2, computed as the reference does: d = (|z|² + |e|²) − 2 z·e, then the FIRST
 * minimum (ArgMin select_last_index=0), so ties resolve to the lower index like torch.argmin.
 */
export async function appendQuantizer(
  g: GraphBuilder,
  blocks: VqBlocks,
  z: string,
  config: VisionConfig,
): Promise<void> {
  const { codebookSize, embedDim } = config;
  const codebook = await blocks.param('quantize.embedding.weight', [codebookSize, embedDim]); // [K, E]
  const codebookT = g.op('Transpose', [codebook], { perm: [1, 0] }); // [E, K]
  const axis1 = blocks.constant('int64', [1]);
  const codebookSq = g.op('ReduceSumSquare', [codebook, axis1], { keepdims: 0 }); // [K]

  const zLast = g.op('Transpose', [z], { perm: [0, 2, 3, 4, 1] }); // [B, T', h, w, E]
  const flat = g.op('Reshape', [zLast, blocks.constant('int64', [-1, embedDim])]); // [M, E], M = B*T'*h*w
  const zSq = g.op('ReduceSumSquare', [flat, axis1], { keepdims: 1 }); // [M, 1]
  const dot = g.op('MatMul', [flat, codebookT]); // [M, K]
  const twice = g.op('Mul', [dot, blocks.constant('float32', [2], [])]); // [M, K]
  const distances = g.op('Sub', [g.op('Add', [zSq, codebookSq]), twice]); // [M, K]
  const index = g.op('ArgMin', [distances], { axis: 1, keepdims: 0, select_last_index: 0 }); // [M] int64
  g.node('Reshape', [index, g.op('Shape', [zLast], { end: 4 })], { outputs: ['codes'] }); // [B, T', h, w]
}
