/**
 * The Emu3 vision tokenizer's decoder as one ONNX graph (docs/vision-tokenizer.md#decoder): codes in, frames
 * out.
 *
 * Contract:
 * - input `codes` int64 [batch, latent_frames, latent_height, latent_width], all dynamic.
 * - output `frames` float32 [batch, latent_frames * temporal factor, 3, latent_height * spatial factor,
 *   latent_width * spatial factor]: the raw decoder output, roughly [-1, 1], not clamped. An image caller
 *   decodes one latent frame and keeps frame 0.
 */
import type { VisionConfig } from '../model-config.js';
import { GraphBuilder } from './graph-builder.js';
import {
  checkVisionConfig,
  levelChannels,
  temporalLayers,
  VqBlocks,
  type SpatialCondition,
  type WeightReader,
} from './vq-blocks.js';

export type { WeightReader } from './vq-blocks.js';

export async function buildVqDecoderGraph(
  config: VisionConfig,
  readWeight: WeightReader,
): Promise<Uint8Array> {
  checkVisionConfig(config);
  const g = new GraphBuilder({ name: 'emu3_vq_decoder' });
  const blocks = new VqBlocks(g, readWeight);
  const { ch, chMult, numResBlocks, attnResolutions, zChannels, embedDim, codebookSize, outChannels } =
    config;
  const channels = levelChannels(ch, chMult);
  const levels = chMult.length;

  const codes = g.input('codes', 'int64', ['batch', 'latent_frames', 'latent_height', 'latent_width']);
  const codebook = await blocks.param('quantize.embedding.weight', [codebookSize, embedDim]); // [K, E]
  const looked = g.op('Gather', [codebook, codes], { axis: 0 }); // [B, T', h, w, E]
  const quant = g.op('Transpose', [looked], { perm: [0, 4, 1, 2, 3] }); // [B, E, T', h, w]
  const z = await blocks.causalConv3d(quant, 'post_quant_conv', embedDim, zChannels, [3, 1, 1]); // [B, Cz, T', h, w]

  // z and zq go through the SAME temporal layers, stacked along the batch and split afterwards
  // (docs/vision-tokenizer.md#decoder), so zq is upsampled in time too before it conditions every
  // SpatialNorm.
  let t = g.op('Concat', [z, quant], { axis: 0 }); // [2B, Cz, T', h, w]
  for (let i = 0; i < numResBlocks; i++)
    t = await blocks.temporalResBlock(t, `decoder.time_res_stack.${i}`, zChannels); // [2B, Cz, T', h, w]
  for (let i = 0; i < temporalLayers(config.temporalDownsampleFactor); i++)
    t = blocks.swish(await blocks.temporalUpsample(t, `decoder.time_conv.${i}`, zChannels)); // [2B, Cz, T'*2^(i+1), h, w]
  t = g.op('Transpose', [t], { perm: [0, 2, 1, 3, 4] }); // [2B, T, Cz, h, w], T = T' * temporal factor
  const [zTime, zqTime] = g.node('Split', [t], { outputs: 2, attrs: { axis: 0, num_outputs: 2 } }) as [
    string,
    string,
  ]; // 2 × [B, T, Cz, h, w]
  // Fold the frames into the batch for the 2D layers.
  const imageShape = g.op('Concat', [blocks.constant('int64', [-1]), g.op('Shape', [zTime], { start: 2 })], {
    axis: 0,
  }); // [4]: -1, Cz, h, w
  const zImages = g.op('Reshape', [zTime, imageShape]); // [B*T, Cz, h, w]
  const zq = g.op('Reshape', [zqTime, imageShape]); // [B*T, E, h, w]

  let blockIn = channels[levels - 1] as number;
  let factor = 1;
  let cond: SpatialCondition = blocks.spatialCondition(zq, factor);
  let h = await blocks.conv(zImages, 'decoder.conv_in', zChannels, blockIn, [3, 3]); // [B*T, Cm, h, w]
  h = await blocks.resnet(h, 'decoder.mid.block_1', blockIn, blockIn, cond, embedDim); // [B*T, Cm, h, w]
  h = await blocks.attention(h, 'decoder.mid.attn_1', blockIn, cond, embedDim); // [B*T, Cm, h, w]
  h = await blocks.resnet(h, 'decoder.mid.block_2', blockIn, blockIn, cond, embedDim); // [B*T, Cm, h, w]

  // `up` list index = level; the decoder runs from the last level to the first, num_res_blocks + 1 blocks each.
  for (let level = levels - 1; level >= 0; level--) {
    const blockOut = channels[level] as number;
    const withAttention = attnResolutions.includes(level);
    for (let i = 0; i <= numResBlocks; i++) {
      h = await blocks.resnet(h, `decoder.up.${level}.block.${i}`, blockIn, blockOut, cond, embedDim); // [B*T, Cl, h*f, w*f]
      blockIn = blockOut;
      if (withAttention)
        h = await blocks.attention(h, `decoder.up.${level}.attn.${i}`, blockIn, cond, embedDim); // [B*T, Cl, h*f, w*f]
    }
    if (level !== 0) {
      h = await blocks.upsample(h, `decoder.up.${level}.upsample`, blockIn); // [B*T, Cl, h*2f, w*2f]
      factor *= 2;
      cond = blocks.spatialCondition(zq, factor);
    }
  }

  h = await blocks.spatialNorm(h, 'decoder.norm_out', blockIn, cond, embedDim); // [B*T, C0, H, W]
  h = await blocks.conv(blocks.swish(h), 'decoder.conv_out', blockIn, outChannels, [3, 3]); // [B*T, 3, H, W]
  const videoShape = g.op(
    'Concat',
    [g.op('Shape', [codes], { end: 1 }), blocks.constant('int64', [-1]), g.op('Shape', [h], { start: 1 })],
    { axis: 0 },
  ); // [5]: B, -1, 3, H, W
  g.node('Reshape', [h, videoShape], { outputs: ['frames'] }); // [B, T, 3, H, W]
  g.output('frames', 'float32', ['batch', 'num_frames', outChannels, 'height', 'width']);
  return g.build();
}
