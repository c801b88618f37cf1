/**
 * Tensor names: the tables that map each checkpoint layout onto the engine's canonical names, and the table of
 * tensors (with shapes) that a model config implies.
 *
 * Canonical names are the BAAI originals (docs/emu3-facts.md#checkpoint-layouts for the decoder,
 * docs/vision-tokenizer.md#weight-names for the vision tokenizer) in PyTorch layouts: Linear [out, in],
 * Conv2d [out, in, kh, kw], Conv3d [out, in, kt, kh, kw], and the VQ attention q/k/v/proj_out as 1x1 convs
 * [C, C, 1, 1]. The mappings are data, applied in a fixed order (as in transformers'
 * convert_emu3_weights_to_hf.py), so that a new layout is a new table, not new code.
 */
import type { DecoderConfig, ModelConfig, VisionConfig } from './model-config.js';

export type CheckpointLayout = 'baai' | 'hf-disk' | 'hf-memory';

/** The decoder (LLM) or the vision tokenizer (VQ-VAE). */
export type ModelPart = 'decoder' | 'vision';

/** A source-name prefix and what it becomes; the first rule whose prefix matches wins. */
export interface PrefixRule {
  readonly source: string;
  readonly canonical: string;
  readonly part: ModelPart;
}

/** One regex rename; a table of them is applied in order, each to the previous rule's output. */
export interface RenameRule {
  readonly pattern: RegExp;
  readonly replacement: string;
}

/** A stored shape that differs from the canonical one for the same data (a reshape, never a transpose). */
export interface ReshapeRule {
  /** Matched against the canonical name. */
  readonly pattern: RegExp;
  /** The rank the layout stores; tensors of another rank are left alone for the shape check to judge. */
  readonly sourceRank: number;
  readonly toCanonical: (shape: readonly number[]) => number[];
}

export interface LayoutNames {
  /** Decoder rules come first: the vision part's canonical prefix is empty and would match any name. */
  readonly prefixes: readonly PrefixRule[];
  /** Renames inside the vision part, after the prefix has been replaced. */
  readonly visionToCanonical: readonly RenameRule[];
  /** The same renames the other way, for naming missing tensors as the checkpoint would name them. */
  readonly visionFromCanonical: readonly RenameRule[];
  readonly reshapes: readonly ReshapeRule[];
}

const BAAI_PREFIXES: readonly PrefixRule[] = [
  { source: 'model.', canonical: 'model.', part: 'decoder' },
  { source: 'lm_head.', canonical: 'lm_head.', part: 'decoder' },
  ...['encoder.', 'decoder.', 'quantize.', 'quant_conv.', 'post_quant_conv.'].map((prefix): PrefixRule => ({
    source: prefix,
    canonical: prefix,
    part: 'vision',
  })),
];

/**
 * How transformers' converter renamed the VQ modules, in its order (docs/emu3-facts.md#checkpoint-layouts).
 */
const VISION_BAAI_TO_HF: readonly RenameRule[] = [
  { pattern: /\.q\./, replacement: '.q_proj.' },
  { pattern: /\.k\./, replacement: '.k_proj.' },
  { pattern: /\.v\./, replacement: '.v_proj.' },
  { pattern: /\.proj_out\./, replacement: '.out_proj.' },
  { pattern: /mid\.attn_1\.norm\./, replacement: 'mid.attn_norm.' },
  { pattern: /attn\.(\d+)\.norm\./, replacement: 'attn_norms.$1.' },
  { pattern: /\.down\./, replacement: '.down_block.down.' },
  { pattern: /\.up\./, replacement: '.up_block.up.' },
  { pattern: /\.mid\./, replacement: '.middle_block.' },
];

/** The inverse of `VISION_BAAI_TO_HF`, undone last rule first. */
const VISION_HF_TO_BAAI: readonly RenameRule[] = [
  { pattern: /\.down_block\.down\./, replacement: '.down.' },
  { pattern: /\.up_block\.up\./, replacement: '.up.' },
  { pattern: /\.middle_block\./, replacement: '.mid.' },
  { pattern: /attn_norms\.(\d+)\./, replacement: 'attn.$1.norm.' },
  { pattern: /mid\.attn_norm\./, replacement: 'mid.attn_1.norm.' },
  { pattern: /\.q_proj\./, replacement: '.q.' },
  { pattern: /\.k_proj\./, replacement: '.k.' },
  { pattern: /\.v_proj\./, replacement: '.v.' },
  { pattern: /\.out_proj\./, replacement: '.proj_out.' },
];

/** transformers stores the VQ attention projections as Linear [C, C]; the original as 1x1 convs. */
const HF_RESHAPES: readonly ReshapeRule[] = [
  {
    pattern: /^(?:encoder|decoder)\..*\.(?:q|k|v|proj_out)\.weight$/,
    sourceRank: 2,
    toCanonical: (shape) => [...shape, 1, 1],
  },
];

/**
 * A transformers layout: its VQ renames and reshapes are the same in both; only where it keeps the decoder,
 * the lm_head and the VQ model differs.
 */
function hfLayout(sources: { decoder: string; lmHead: string; vision: string }): LayoutNames {
  return {
    prefixes: [
      { source: sources.decoder, canonical: 'model.', part: 'decoder' },
      { source: sources.lmHead, canonical: 'lm_head.', part: 'decoder' },
      { source: sources.vision, canonical: '', part: 'vision' },
    ],
    visionToCanonical: VISION_HF_TO_BAAI,
    visionFromCanonical: VISION_BAAI_TO_HF,
    reshapes: HF_RESHAPES,
  };
}

export const LAYOUT_NAMES: Readonly<Record<CheckpointLayout, LayoutNames>> = {
  baai: { prefixes: BAAI_PREFIXES, visionToCanonical: [], visionFromCanonical: [], reshapes: [] },
  // save_pretrained writes the legacy names (docs/emu3-facts.md#checkpoint-layouts).
  'hf-disk': hfLayout({ decoder: 'text_model.model.', lmHead: 'text_model.lm_head.', vision: 'vqmodel.' }),
  // transformers' module tree since its VLM refactor (_checkpoint_conversion_mapping in modeling_emu3.py).
  'hf-memory': hfLayout({ decoder: 'model.text_model.', lmHead: 'lm_head.', vision: 'model.vqmodel.' }),
};

/** Buffers that checkpoints may carry and the engine never reads. */
export const IGNORED_TENSORS: readonly RegExp[] = [
  // BatchNorm's step counter: training bookkeeping, unused with running statistics.
  /(?:^|\.)num_batches_tracked$/,
  // Older Llama-style saves persisted the rotary frequencies; they are recomputed from rope_theta.
  /\.rotary_emb\.inv_freq$/,
];

export function isIgnoredTensor(sourceName: string): boolean {
  return IGNORED_TENSORS.some((pattern) => pattern.test(sourceName));
}

function applyRenames(name: string, rules: readonly RenameRule[]): string {
  return rules.reduce((current, rule) => current.replace(rule.pattern, rule.replacement), name);
}

/** The canonical name of a tensor stored under `sourceName`, or undefined when the layout has no such name. */
export function toCanonicalName(
  layout: CheckpointLayout,
  sourceName: string,
): { name: string; part: ModelPart } | undefined {
  const names = LAYOUT_NAMES[layout];
  const rule = names.prefixes.find((candidate) => sourceName.startsWith(candidate.source));
  if (!rule) return undefined;
  const name = rule.canonical + sourceName.slice(rule.source.length);
  return {
    name: rule.part === 'vision' ? applyRenames(name, names.visionToCanonical) : name,
    part: rule.part,
  };
}

/** How `layout` names the canonical tensor `canonicalName`. */
export function toSourceName(layout: CheckpointLayout, canonicalName: string): string {
  const names = LAYOUT_NAMES[layout];
  const decoder = names.prefixes.find(
    (rule) => rule.part === 'decoder' && canonicalName.startsWith(rule.canonical),
  );
  if (decoder) return decoder.source + canonicalName.slice(decoder.canonical.length);
  const vision = names.prefixes.find(
    (rule) => rule.part === 'vision' && canonicalName.startsWith(rule.canonical),
  );
  if (!vision) return canonicalName;
  const renamed = applyRenames(canonicalName, names.visionFromCanonical);
  return vision.source + renamed.slice(vision.canonical.length);
}

/** The canonical shape of a tensor that `layout` stores with `sourceShape`. */
export function toCanonicalShape(
  layout: CheckpointLayout,
  canonicalName: string,
  sourceShape: readonly number[],
): number[] {
  const rule = LAYOUT_NAMES[layout].reshapes.find(
    (candidate) => candidate.pattern.test(canonicalName) && sourceShape.length === candidate.sourceRank,
  );
  return rule ? rule.toCanonical(sourceShape) : [...sourceShape];
}

/** Every tensor the engine needs for `config`, canonical name to canonical shape, in module order. */
export function expectedTensors(config: ModelConfig): Map<string, number[]> {
  const tensors = new Map<string, number[]>();
  addDecoder(tensors, config.decoder);
  addVision(tensors, config.vision);
  return tensors;
}

function addDecoder(tensors: Map<string, number[]>, d: DecoderConfig): void {
  const q = d.numHeads * d.headDim;
  const kv = d.numKvHeads * d.headDim;
  tensors.set('model.embed_tokens.weight', [d.vocabSize, d.hiddenSize]);
  for (let i = 0; i < d.numLayers; i++) {
    const layer = `model.layers.${i}`;
    tensors.set(`${layer}.self_attn.q_proj.weight`, [q, d.hiddenSize]);
    tensors.set(`${layer}.self_attn.k_proj.weight`, [kv, d.hiddenSize]);
    tensors.set(`${layer}.self_attn.v_proj.weight`, [kv, d.hiddenSize]);
    tensors.set(`${layer}.self_attn.o_proj.weight`, [d.hiddenSize, q]);
    tensors.set(`${layer}.mlp.gate_proj.weight`, [d.intermediateSize, d.hiddenSize]);
    tensors.set(`${layer}.mlp.up_proj.weight`, [d.intermediateSize, d.hiddenSize]);
    tensors.set(`${layer}.mlp.down_proj.weight`, [d.hiddenSize, d.intermediateSize]);
    tensors.set(`${layer}.input_layernorm.weight`, [d.hiddenSize]);
    tensors.set(`${layer}.post_attention_layernorm.weight`, [d.hiddenSize]);
  }
  tensors.set('model.norm.weight', [d.hiddenSize]);
  tensors.set('lm_head.weight', [d.vocabSize, d.hiddenSize]);
}

/** The module tree of BAAI's Emu3VisionVQModel (emu3/tokenizer/modeling_emu3visionvq.py), with shapes. */
function addVision(tensors: Map<string, number[]>, v: VisionConfig): void {
  const z = v.zChannels;
  const conv = (name: string, out: number, inp: number, kernel: number[]) => {
    tensors.set(`${name}.weight`, [out, inp, ...kernel]);
    tensors.set(`${name}.bias`, [out]);
  };
  const affine = (name: string, channels: number) => {
    tensors.set(`${name}.weight`, [channels]);
    tensors.set(`${name}.bias`, [channels]);
  };
  const groupNorm = affine;
  // MoVQ's SpatialNorm: GroupNorm modulated by 1x1 convs of the quantized latent (embed_dim channels).
  const spatialNorm = (name: string, channels: number) => {
    affine(`${name}.norm_layer`, channels);
    conv(`${name}.conv_y`, channels, v.embedDim, [1, 1]);
    conv(`${name}.conv_b`, channels, v.embedDim, [1, 1]);
  };
  type Norm = (name: string, channels: number) => void;
  const resnet = (name: string, inp: number, out: number, norm: Norm) => {
    norm(`${name}.norm1`, inp);
    conv(`${name}.conv1`, out, inp, [3, 3]);
    norm(`${name}.norm2`, out);
    conv(`${name}.conv2`, out, out, [3, 3]);
    if (inp !== out) conv(`${name}.nin_shortcut`, out, inp, [1, 1]);
  };
  const attention = (name: string, channels: number, norm: Norm) => {
    norm(`${name}.norm`, channels);
    for (const projection of ['q', 'k', 'v', 'proj_out'])
      conv(`${name}.${projection}`, channels, channels, [1, 1]);
  };
  const temporalResnet = (name: string) => {
    for (const [norm, convName] of [
      ['norm1', 'conv1'],
      ['norm2', 'conv2'],
    ] as const) {
      affine(`${name}.${norm}`, z);
      tensors.set(`${name}.${norm}.running_mean`, [z]);
      tensors.set(`${name}.${norm}.running_var`, [z]);
      conv(`${name}.${convName}.conv`, z, z, [3, 3, 3]);
    }
  };
  const temporalBlocks = Math.log2(v.temporalDownsampleFactor);
  const levels = v.chMult.length;
  const channels = (level: number) => v.ch * v.chMult[level]!;

  conv('encoder.conv_in', v.ch, v.inChannels, [3, 3]);
  let blockIn = v.ch;
  for (let level = 0; level < levels; level++) {
    for (let block = 0; block < v.numResBlocks; block++) {
      resnet(`encoder.down.${level}.block.${block}`, blockIn, channels(level), groupNorm);
      blockIn = channels(level);
      if (v.attnResolutions.includes(level))
        attention(`encoder.down.${level}.attn.${block}`, blockIn, groupNorm);
    }
    if (level !== levels - 1) conv(`encoder.down.${level}.downsample.conv`, blockIn, blockIn, [3, 3]);
  }
  resnet('encoder.mid.block_1', blockIn, blockIn, groupNorm);
  attention('encoder.mid.attn_1', blockIn, groupNorm);
  resnet('encoder.mid.block_2', blockIn, blockIn, groupNorm);
  groupNorm('encoder.norm_out', blockIn);
  conv('encoder.conv_out', z, blockIn, [3, 3]);
  for (let i = 0; i < temporalBlocks; i++) conv(`encoder.time_conv.${i}.conv.conv`, z, z, [4, 3, 3]);
  for (let i = 0; i < v.numResBlocks; i++) temporalResnet(`encoder.time_res_stack.${i}`);

  for (let i = 0; i < v.numResBlocks; i++) temporalResnet(`decoder.time_res_stack.${i}`);
  for (let i = 0; i < temporalBlocks; i++) conv(`decoder.time_conv.${i}.conv.conv`, z, z, [3, 3, 3]);
  blockIn = channels(levels - 1);
  conv('decoder.conv_in', blockIn, z, [3, 3]);
  resnet('decoder.mid.block_1', blockIn, blockIn, spatialNorm);
  attention('decoder.mid.attn_1', blockIn, spatialNorm);
  resnet('decoder.mid.block_2', blockIn, blockIn, spatialNorm);
  // The original builds `up` from the last level down and inserts at the front: index = level.
  for (let level = levels - 1; level >= 0; level--) {
    for (let block = 0; block <= v.numResBlocks; block++) {
      resnet(`decoder.up.${level}.block.${block}`, blockIn, channels(level), spatialNorm);
      blockIn = channels(level);
      if (v.attnResolutions.includes(level))
        attention(`decoder.up.${level}.attn.${block}`, blockIn, spatialNorm);
    }
    if (level !== 0) conv(`decoder.up.${level}.upsample.conv`, blockIn, blockIn, [3, 3]);
  }
  spatialNorm('decoder.norm_out', blockIn);
  conv('decoder.conv_out', v.outChannels, blockIn, [3, 3]);

  tensors.set('quantize.embedding.weight', [v.codebookSize, v.embedDim]);
  conv('quant_conv.conv', v.embedDim, z, [3, 1, 1]);
  conv('post_quant_conv.conv', z, v.embedDim, [3, 1, 1]);
}
