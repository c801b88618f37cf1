/**
 * Building blocks of the Emu3 vision tokenizer (docs/vision-tokenizer.md#building-blocks) as ONNX subgraphs,
 * shared by the encoder and decoder graph builders. Every block reads its weights by their BAAI original
 * names (docs/vision-tokenizer.md#weight-names) in PyTorch layouts, so one block works for whichever
 * checkpoint layout the importer mapped from.
 *
 * Shape notation in comments: N = images folded with frames (B*T), C = channels, H/W = the current spatial
 * size, h/w = the latent (code grid) size, T = frames.
 */
import { EngineError } from '../../api/index.js';
import type { VisionConfig } from '../model-config.js';
import { float, type GraphBuilder } from './graph-builder.js';

/** Reads one weight by its canonical BAAI name, as float32 in the PyTorch layout. */
export type WeightReader = (name: string) => Promise<Float32Array>;

const GROUPS = 32;
const GROUP_NORM_EPS = 1e-6;
/** PyTorch BatchNorm3d's default; the checkpoints do not override it. */
const BATCH_NORM_EPS = 1e-5;

/**
 * The quantized latent that conditions a decoder SpatialNorm, and the reshape targets that broadcast it over a
 * feature map `factor` times larger. SpatialNorm's zq' is a nearest upsample, and a 1×1 conv commutes with it,
 * so the 1×1 convs run at latent size and broadcast instead of materializing C-channel maps at full size.
 */
export interface SpatialCondition {
  zq: string; // [N, E, h, w]
  factor: number;
  /** [0, 0, h, f, w, f]: splits [N, C, h*f, w*f] so that [N, C, h, 1, w, 1] broadcasts over it. */
  split: string | undefined;
  /** [0, 0, -1, w*f]: merges the split map back to [N, C, H, W]. */
  merge: string | undefined;
}

export class VqBlocks {
  /** Small constants, shared by every block that needs the same values. */
  private readonly constants = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    private readonly read: WeightReader,
  ) {}

  /** A weight as an initializer under its canonical name, checked against the shape the config implies. */
  async param(name: string, dims: readonly number[]): Promise<string> {
    const data = await this.read(name);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected)
      throw new EngineError(
        'invalid_file',
        `vision tokenizer weight ${name} has ${data.length} values, expected [${dims.join(', ')}]`,
      );
    return this.g.initializer(name, 'float32', dims, data);
  }

  /** Conv with weight [out, in, ...kernel] and bias [out]; `pads` in ONNX order (all begins, then all ends). */
  async conv(
    x: string,
    prefix: string,
    inC: number,
    outC: number,
    kernel: readonly number[],
    options: { stride?: readonly number[]; pads?: readonly number[] } = {},
  ): Promise<string> {
    const w = await this.param(`${prefix}.weight`, [outC, inC, ...kernel]);
    const b = await this.param(`${prefix}.bias`, [outC]);
    // Odd kernels default to "same" padding (PyTorch padding=k//2), which is every 2D conv of the model.
    const same = kernel.map((k) => Math.floor(k / 2));
    const pads = options.pads ?? [...same, ...same];
    const strides = options.stride ?? kernel.map(() => 1);
    return this.g.op('Conv', [x, w, b], { pads, strides }, `${prefix}/Conv`); // [N, outC, ...]
  }

  /** An int64 (shapes, axes) or float32 constant, created once per graph. */
  constant(dtype: 'int64' | 'float32', values: readonly number[], dims?: readonly number[]): string {
    const key = `${dtype}:${values.join(',')}:${dims?.join(',') ?? ''}`;
    let name = this.constants.get(key);
    if (!name) {
      name =
        dtype === 'int64' ? this.g.int64s('const', values, dims) : this.g.float32s('const', values, dims);
      this.constants.set(key, name);
    }
    return name;
  }

  swish(x: string): string {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]); // same shape as x
  }

  /**
   * GroupNorm(32, eps 1e-6, affine) on [N, C, ...]. Built as Reshape + InstanceNormalization rather than
   * GroupNormalization: ORT CPU's GroupNormalization returned NaN on inputs with a large mean relative to their
   * spread (a one-pass variance), where InstanceNormalization stayed accurate.
   */
  async groupNorm(x: string, prefix: string, channels: number): Promise<string> {
    const { g } = this;
    // The affine part is per channel: stored as [C, 1, 1] so it broadcasts over [N, C, H, W].
    const gamma = await this.param(`${prefix}.weight`, [channels, 1, 1]);
    const beta = await this.param(`${prefix}.bias`, [channels, 1, 1]);
    const unit = this.constant('float32', new Array<number>(GROUPS).fill(1)); // [G]
    const zero = this.constant('float32', new Array<number>(GROUPS).fill(0)); // [G]
    const grouped = g.op('Reshape', [x, this.constant('int64', [0, GROUPS, -1])]); // [N, G, C/G*H*W]
    const normed = g.op('InstanceNormalization', [grouped, unit, zero], { epsilon: float(GROUP_NORM_EPS) }); // [N, G, C/G*H*W]
    const restored = g.op('Reshape', [normed, g.op('Shape', [x])]); // [N, C, H, W]
    return g.op('Add', [g.op('Mul', [restored, gamma]), beta]); // [N, C, H, W]
  }

  /** Precomputes the broadcast shapes for SpatialNorm at `factor` × the latent size. */
  spatialCondition(zq: string, factor: number): SpatialCondition {
    if (factor === 1) return { zq, factor, split: undefined, merge: undefined };
    const { g } = this;
    const h = g.op('Shape', [zq], { start: 2, end: 3 }); // [1]: h
    const w = g.op('Shape', [zq], { start: 3, end: 4 }); // [1]: w
    const f = this.constant('int64', [factor]); // [1]
    const split = g.op('Concat', [this.constant('int64', [0, 0]), h, f, w, f], { axis: 0 }); // [6]: 0,0,h,f,w,f
    const wide = g.op('Mul', [w, f]); // [1]: W = w*f
    const merge = g.op('Concat', [this.constant('int64', [0, 0, -1]), wide], { axis: 0 }); // [4]: 0,0,-1,W
    return { zq, factor, split, merge };
  }

  /** MoVQ SpatialNorm: GroupNorm(x) * conv_y(zq') + conv_b(zq'), zq' = nearest upsample of zq to x's size. */
  async spatialNorm(x: string, prefix: string, channels: number, cond: SpatialCondition, zqC: number) {
    const { g } = this;
    const normed = await this.groupNorm(x, `${prefix}.norm_layer`, channels); // [N, C, H, W]
    const y = await this.conv(cond.zq, `${prefix}.conv_y`, zqC, channels, [1, 1]); // [N, C, h, w]
    const b = await this.conv(cond.zq, `${prefix}.conv_b`, zqC, channels, [1, 1]); // [N, C, h, w]
    if (!cond.split || !cond.merge) return g.op('Add', [g.op('Mul', [normed, y]), b]); // [N, C, H, W]
    const axes = this.constant('int64', [3, 5]);
    const split = g.op('Reshape', [normed, cond.split]); // [N, C, h, f, w, f]
    const y6 = g.op('Unsqueeze', [y, axes]); // [N, C, h, 1, w, 1]
    const b6 = g.op('Unsqueeze', [b, axes]); // [N, C, h, 1, w, 1]
    const out = g.op('Add', [g.op('Mul', [split, y6]), b6]); // [N, C, h, f, w, f]
    return g.op('Reshape', [out, cond.merge]); // [N, C, H, W]
  }

  /** The encoder's GroupNorm or, given a condition, the decoder's SpatialNorm. */
  private norm(x: string, prefix: string, channels: number, cond?: SpatialCondition, zqC = 0) {
    return cond ? this.spatialNorm(x, prefix, channels, cond, zqC) : this.groupNorm(x, prefix, channels);
  }

  /** ResnetBlock: x' + conv2(swish(norm2(conv1(swish(norm1(x)))))), x' = nin_shortcut(x) when C changes. */
  async resnet(x: string, prefix: string, inC: number, outC: number, cond?: SpatialCondition, zqC = 0) {
    const { g } = this;
    let h = this.swish(await this.norm(x, `${prefix}.norm1`, inC, cond, zqC)); // [N, inC, H, W]
    h = await this.conv(h, `${prefix}.conv1`, inC, outC, [3, 3]); // [N, outC, H, W]
    h = this.swish(await this.norm(h, `${prefix}.norm2`, outC, cond, zqC)); // [N, outC, H, W]
    h = await this.conv(h, `${prefix}.conv2`, outC, outC, [3, 3]); // [N, outC, H, W]
    const skip = inC === outC ? x : await this.conv(x, `${prefix}.nin_shortcut`, inC, outC, [1, 1]); // [N, outC, H, W]
    return g.op('Add', [skip, h]); // [N, outC, H, W]
  }

  /** AttnBlock: single-head attention over the H*W positions, q/k/v/proj_out as 1×1 convs, plus residual. */
  async attention(x: string, prefix: string, channels: number, cond?: SpatialCondition, zqC = 0) {
    const { g } = this;
    const n = await this.norm(x, `${prefix}.norm`, channels, cond, zqC); // [N, C, H, W]
    const flat = this.constant('int64', [0, 0, -1]);
    const q = g.op('Reshape', [await this.conv(n, `${prefix}.q`, channels, channels, [1, 1]), flat]); // [N, C, HW]
    const k = g.op('Reshape', [await this.conv(n, `${prefix}.k`, channels, channels, [1, 1]), flat]); // [N, C, HW]
    const v = g.op('Reshape', [await this.conv(n, `${prefix}.v`, channels, channels, [1, 1]), flat]); // [N, C, HW]
    const qT = g.op('Transpose', [q], { perm: [0, 2, 1] }); // [N, HW, C]
    const scores = g.op('MatMul', [qT, k]); // [N, HW, HW]
    const scaled = g.op('Mul', [scores, this.constant('float32', [channels ** -0.5], [])]); // [N, HW, HW]
    const probs = g.op('Softmax', [scaled], { axis: -1 }); // [N, HW(query), HW(key)]
    const vT = g.op('Transpose', [v], { perm: [0, 2, 1] }); // [N, HW, C]
    const mixed = g.op('Transpose', [g.op('MatMul', [probs, vT])], { perm: [0, 2, 1] }); // [N, C, HW]
    const image = g.op('Reshape', [mixed, g.op('Shape', [x])]); // [N, C, H, W]
    const out = await this.conv(image, `${prefix}.proj_out`, channels, channels, [1, 1]); // [N, C, H, W]
    return g.op('Add', [x, out]); // [N, C, H, W]
  }

  /** Downsample: zero pad right 1 and bottom 1, then a 3×3 stride-2 conv with no other padding. */
  downsample(x: string, prefix: string, channels: number): Promise<string> {
    // ONNX pads: [top, left, bottom, right].
    return this.conv(x, `${prefix}.conv`, channels, channels, [3, 3], { stride: [2, 2], pads: [0, 0, 1, 1] }); // [N, C, H/2, W/2]
  }

  /** Upsample: nearest ×2 (index floor(i/2), as torch's F.interpolate), then a 3×3 conv. */
  upsample(x: string, prefix: string, channels: number): Promise<string> {
    const up = this.nearest(x, [1, 1, 2, 2]); // [N, C, 2H, 2W]
    return this.conv(up, `${prefix}.conv`, channels, channels, [3, 3]); // [N, C, 2H, 2W]
  }

  /**
   * CausalConv3d on [B, C, T, H, W]: 2 zero frames in front whatever kt is (nothing behind), spatial padding
   * (k-s)//2 + (k-s)%2 before and (k-s)//2 after, then a plain Conv3d. Weights live under `${prefix}.conv`.
   */
  causalConv3d(
    x: string,
    prefix: string,
    inC: number,
    outC: number,
    kernel: readonly [number, number, number],
    stride: readonly [number, number, number] = [1, 1, 1],
  ): Promise<string> {
    const spatial = [1, 2].map((i) => (kernel[i] as number) - (stride[i] as number));
    const begin = [2, ...spatial.map((p) => Math.floor(p / 2) + (p % 2))];
    const end = [0, ...spatial.map((p) => Math.floor(p / 2))];
    return this.conv(x, `${prefix}.conv`, inC, outC, kernel, { stride, pads: [...begin, ...end] }); // [B, outC, T', H, W]
  }

  /** BatchNorm3d in inference mode: running statistics, eps 1e-5. */
  async batchNorm(x: string, prefix: string, channels: number): Promise<string> {
    const inputs = [x];
    for (const part of ['weight', 'bias', 'running_mean', 'running_var'])
      inputs.push(await this.param(`${prefix}.${part}`, [channels]));
    return this.g.op('BatchNormalization', inputs, { epsilon: float(BATCH_NORM_EPS) }, `${prefix}/BN`); // [B, C, T, H, W]
  }

  /** TemporalResBlock: x + conv2(swish(bn2(conv1(swish(bn1(x)))))), both convs CausalConv3d(3,3,3). */
  async temporalResBlock(x: string, prefix: string, channels: number): Promise<string> {
    let h = this.swish(await this.batchNorm(x, `${prefix}.norm1`, channels)); // [B, C, T, H, W]
    h = await this.causalConv3d(h, `${prefix}.conv1`, channels, channels, [3, 3, 3]); // [B, C, T, H, W]
    h = this.swish(await this.batchNorm(h, `${prefix}.norm2`, channels)); // [B, C, T, H, W]
    h = await this.causalConv3d(h, `${prefix}.conv2`, channels, channels, [3, 3, 3]); // [B, C, T, H, W]
    return this.g.op('Add', [x, h]); // [B, C, T, H, W]
  }

  /** TemporalDownsample: CausalConv3d k=(4,3,3), s=(2,1,1). T -> T/2 (with the 2 front pad frames). */
  temporalDownsample(x: string, prefix: string, channels: number): Promise<string> {
    return this.causalConv3d(x, `${prefix}.conv`, channels, channels, [4, 3, 3], [2, 1, 1]); // [B, C, T/2, H, W]
  }

  /** TemporalUpsample: nearest ×2 along T (frames t0 t0 t1 t1 ...), then CausalConv3d(3,3,3). */
  temporalUpsample(x: string, prefix: string, channels: number): Promise<string> {
    const up = this.nearest(x, [1, 1, 2, 1, 1]); // [B, C, 2T, H, W]
    return this.causalConv3d(up, `${prefix}.conv`, channels, channels, [3, 3, 3]); // [B, C, 2T, H, W]
  }

  /** Nearest resize by integer scales: output index i reads input floor(i / scale). */
  private nearest(x: string, scales: readonly number[]): string {
    const s = this.constant('float32', scales);
    return this.g.op('Resize', [x, '', s], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    }); // x's shape times scales
  }
}

/** Channels at each level: ch * ch_mult[level]. */
export function levelChannels(ch: number, chMult: readonly number[]): number[] {
  return chMult.map((m) => ch * m);
}

/** How many temporal ×2 (down or up) layers a temporal factor needs: log2(factor). */
export function temporalLayers(factor: number): number {
  const n = Math.round(Math.log2(factor));
  if (2 ** n !== factor)
    throw new EngineError('unsupported', `temporal_downsample_factor ${factor} is not a power of two`);
  return n;
}

/** Refuses configs the graphs cannot represent, with a message naming the field. */
export function checkVisionConfig(config: VisionConfig): void {
  const problem = (field: string, why: string) =>
    new EngineError('unsupported', `vision tokenizer config: ${field} ${why}`);
  if (config.chMult.length < 1) throw problem('ch_mult', 'is empty');
  if (config.spatialFactor !== 2 ** (config.chMult.length - 1))
    throw problem('spatial factor', `${config.spatialFactor} is not 2^(len(ch_mult) - 1)`);
  for (const c of [config.ch, ...levelChannels(config.ch, config.chMult)])
    if (c % GROUPS !== 0)
      throw problem('ch', `gives ${c} channels, not a multiple of the ${GROUPS} GroupNorm groups`);
  // The decoder pushes z and zq through one temporal stack, so both must have the same channel count.
  if (config.zChannels !== config.embedDim)
    throw problem('z_channels', `${config.zChannels} differs from embed_dim ${config.embedDim}`);
  temporalLayers(config.temporalDownsampleFactor);
}
