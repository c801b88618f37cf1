/**
 * The config files of both naming styles (BAAI's remote-code configs and transformers' Emu3Config), checked
 * with zod and converted into the engine's `ModelConfig` (docs/emu3-facts.md#checkpoint-configs).
 *
 * Only the fields the engine needs are required; a missing one is reported as `<file>: missing field <path>`.
 * Options that would change the architecture (biases, tied embeddings, rope scaling, other activations) are
 * refused rather than ignored, since ignoring them would give a model that loads and then computes garbage.
 */
import { z } from 'zod';
import { EngineError, parseConfigFile } from '../api/index.js';
import type {
  DecoderConfig,
  ModelConfig,
  PreprocessorConfig,
  SpecialTokenIds,
  VisionConfig,
} from './model-config.js';

const count = z.number().int().nonnegative();
const positive = z.number().int().positive();

/** Options every Emu3 checkpoint leaves at the Llama defaults; anything else is another architecture. */
const ArchitectureFlags = {
  hidden_act: z.string().optional(),
  rope_scaling: z.unknown().optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
};

const DecoderFields = {
  vocab_size: positive,
  hidden_size: positive,
  num_hidden_layers: positive,
  num_attention_heads: positive,
  // Llama semantics: absent or null means plain multi-head attention.
  num_key_value_heads: positive.nullish(),
  head_dim: positive.nullish(),
  intermediate_size: positive,
  rms_norm_eps: z.number().positive(),
  max_position_embeddings: positive,
  ...ArchitectureFlags,
};

/** BAAI's Emu3Config (emu3/mllm/configuration_emu3.py). */
export const BaaiDecoderConfig = z.object({
  model_type: z.literal('Emu3'),
  ...DecoderFields,
  rope_theta: z.number().positive(),
  image_area: positive,
  pad_token_id: count,
  bos_token_id: count,
  eos_token_id: count,
  img_token_id: count,
  boi_token_id: count,
  eoi_token_id: count,
  eol_token_id: count,
  eof_token_id: count,
});

/** BAAI's Emu3VisionVQConfig (emu3/tokenizer/configuration_emu3visionvq.py). */
export const BaaiVisionConfig = z.object({
  model_type: z.literal('Emu3VisionVQ'),
  codebook_size: positive,
  embed_dim: positive,
  z_channels: positive,
  // Absent means the class default, false.
  double_z: z.boolean().optional(),
  in_channels: positive,
  out_channels: positive,
  temporal_downsample_factor: positive,
  ch: positive,
  ch_mult: z.array(positive).min(1),
  num_res_blocks: positive,
  attn_resolutions: z.array(count),
});

/** transformers' Emu3TextConfig; 5.x keeps rope_theta inside rope_parameters. */
const HfTextConfig = z.object({
  ...DecoderFields,
  rope_parameters: z
    .object({ rope_theta: z.number().positive(), rope_type: z.string().optional() })
    .nullish(),
  rope_theta: z.number().positive().optional(),
  pad_token_id: count.nullish(),
  bos_token_id: count.nullish(),
  eos_token_id: count.nullish(),
});

/** transformers' Emu3VQVAEConfig: the same model as BaaiVisionConfig under other field names. */
const HfVqConfig = z.object({
  codebook_size: positive,
  embed_dim: positive,
  latent_channels: positive,
  double_latent: z.boolean().optional(),
  in_channels: positive,
  out_channels: positive,
  temporal_downsample_factor: positive,
  base_channels: positive,
  channel_multiplier: z.array(positive).min(1),
  num_res_blocks: positive,
  attn_resolutions: z.array(count),
});

/** transformers' Emu3Config. */
export const HfConfig = z.object({
  model_type: z.literal('emu3'),
  text_config: HfTextConfig,
  vq_config: HfVqConfig,
  vocabulary_map: z.record(z.string(), count),
  image_area: positive.optional(),
});

const Triple = z.union([
  z.number().transform((value) => [value, value, value]),
  z.tuple([z.number(), z.number(), z.number()]),
]);

/** preprocessor_config.json of BAAI's Emu3VisionVQImageProcessor and of transformers' Emu3ImageProcessor. */
export const PreprocessorFile = z.object({
  image_mean: Triple,
  image_std: Triple,
  rescale_factor: z.number().positive(),
  min_pixels: positive,
  max_pixels: positive,
  spatial_factor: positive,
  do_rescale: z.boolean().optional(),
  do_normalize: z.boolean().optional(),
});

/** The generation area transformers' Emu3Processor uses when the checkpoint's config names none. */
export const HF_DEFAULT_IMAGE_AREA = 518400;

/**
 * Special-token strings (docs/emu3-facts.md#special-tokens), for checkpoints that give ids only through
 * vocabulary_map.
 */
export const SPECIAL_TOKEN_STRINGS: Readonly<Record<keyof SpecialTokenIds, string>> = {
  pad: '<|endoftext|>',
  bos: '<|extra_203|>',
  eos: '<|extra_204|>',
  img: '<|image token|>',
  boi: '<|image start|>',
  eoi: '<|image end|>',
  eol: '<|extra_200|>',
  eof: '<|extra_201|>',
};

function unsupported(label: string, problem: string): EngineError {
  return new EngineError('unsupported', `${label}: ${problem}`);
}

function checkArchitecture(label: string, fields: z.output<z.ZodObject<typeof ArchitectureFlags>>): void {
  if (fields.hidden_act !== undefined && fields.hidden_act !== 'silu') {
    throw unsupported(
      label,
      `hidden_act ${JSON.stringify(fields.hidden_act)} is not supported (Emu3 uses silu)`,
    );
  }
  if (fields.rope_scaling !== undefined && fields.rope_scaling !== null) {
    throw unsupported(label, 'rope_scaling is not supported (Emu3 uses plain RoPE)');
  }
  if (fields.tie_word_embeddings) throw unsupported(label, 'tied word embeddings are not supported');
  if (fields.attention_bias) throw unsupported(label, 'attention_bias is not supported');
  if (fields.mlp_bias) throw unsupported(label, 'mlp_bias is not supported');
}

function decoderConfig(
  label: string,
  fields: z.output<z.ZodObject<typeof DecoderFields>>,
  ropeTheta: number,
): DecoderConfig {
  checkArchitecture(label, fields);
  const numHeads = fields.num_attention_heads;
  const numKvHeads = fields.num_key_value_heads ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw new EngineError(
      'invalid_file',
      `${label}: ${numHeads} attention heads do not split into ${numKvHeads} KV groups`,
    );
  }
  const headDim = fields.head_dim ?? fields.hidden_size / numHeads;
  if (!Number.isInteger(headDim)) {
    throw new EngineError(
      'invalid_file',
      `${label}: hidden_size ${fields.hidden_size} is not a multiple of ${numHeads} heads`,
    );
  }
  return {
    vocabSize: fields.vocab_size,
    hiddenSize: fields.hidden_size,
    numLayers: fields.num_hidden_layers,
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: fields.intermediate_size,
    rmsNormEps: fields.rms_norm_eps,
    ropeTheta,
    maxPositionEmbeddings: fields.max_position_embeddings,
  };
}

interface VisionFields {
  codebookSize: number;
  embedDim: number;
  zChannels: number;
  doubleZ: boolean | undefined;
  inChannels: number;
  outChannels: number;
  temporalDownsampleFactor: number;
  ch: number;
  chMult: number[];
  numResBlocks: number;
  attnResolutions: number[];
}

function visionConfig(label: string, fields: VisionFields): VisionConfig {
  const { doubleZ, ...rest } = fields;
  // The original feeds conv_out's channels to a quant_conv built for z_channels, so only false runs.
  if (doubleZ) throw unsupported(label, 'a doubled latent (double_z / double_latent) is not supported');
  const factor = fields.temporalDownsampleFactor;
  if (!Number.isInteger(Math.log2(factor))) {
    throw new EngineError(
      'invalid_file',
      `${label}: temporal_downsample_factor ${factor} is not a power of two`,
    );
  }
  return { ...rest, spatialFactor: 2 ** (fields.chMult.length - 1) };
}

function checkSpecialIds(label: string, special: SpecialTokenIds, vocabSize: number): void {
  for (const [role, id] of Object.entries(special)) {
    if (id >= vocabSize) {
      throw new EngineError(
        'invalid_file',
        `${label}: ${role} token id ${id} is outside the vocabulary (${vocabSize})`,
      );
    }
  }
}

export function preprocessorConfig(json: unknown, label: string): PreprocessorConfig {
  const file = parseConfigFile(PreprocessorFile, json, label);
  // A processor that skips a step is the same as one whose step is the identity.
  const normalize = file.do_normalize ?? true;
  return {
    imageMean: normalize ? (file.image_mean as [number, number, number]) : [0, 0, 0],
    imageStd: normalize ? (file.image_std as [number, number, number]) : [1, 1, 1],
    rescaleFactor: (file.do_rescale ?? true) ? file.rescale_factor : 1,
    minPixels: file.min_pixels,
    maxPixels: file.max_pixels,
    spatialFactor: file.spatial_factor,
  };
}

export interface ConfigLabels {
  decoder: string;
  vision: string;
  preprocessor: string;
}

/** The BAAI style: the decoder's config.json, the vision tokenizer's, and its preprocessor_config.json. */
export function baaiModelConfig(
  decoderJson: unknown,
  visionJson: unknown,
  preprocessorJson: unknown,
  labels: ConfigLabels,
): ModelConfig {
  const d = parseConfigFile(BaaiDecoderConfig, decoderJson, labels.decoder);
  const v = parseConfigFile(BaaiVisionConfig, visionJson, labels.vision);
  const special: SpecialTokenIds = {
    pad: d.pad_token_id,
    bos: d.bos_token_id,
    eos: d.eos_token_id,
    img: d.img_token_id,
    boi: d.boi_token_id,
    eoi: d.eoi_token_id,
    eol: d.eol_token_id,
    eof: d.eof_token_id,
  };
  checkSpecialIds(labels.decoder, special, d.vocab_size);
  return {
    decoder: decoderConfig(labels.decoder, d, d.rope_theta),
    special,
    vision: visionConfig(labels.vision, {
      codebookSize: v.codebook_size,
      embedDim: v.embed_dim,
      zChannels: v.z_channels,
      doubleZ: v.double_z,
      inChannels: v.in_channels,
      outChannels: v.out_channels,
      temporalDownsampleFactor: v.temporal_downsample_factor,
      ch: v.ch,
      chMult: v.ch_mult,
      numResBlocks: v.num_res_blocks,
      attnResolutions: v.attn_resolutions,
    }),
    preprocessor: preprocessorConfig(preprocessorJson, labels.preprocessor),
    imageArea: d.image_area,
  };
}

/** The transformers style: one config.json with text_config, vq_config and vocabulary_map. */
export function hfModelConfig(
  json: unknown,
  preprocessorJson: unknown,
  labels: { config: string; preprocessor: string },
): { config: ModelConfig; vocabularyMap: Record<string, number> } {
  const label = labels.config;
  const c = parseConfigFile(HfConfig, json, label);
  const text = c.text_config;
  const ropeTheta = text.rope_parameters?.rope_theta ?? text.rope_theta;
  if (ropeTheta === undefined)
    throw new EngineError('invalid_file', `${label}: missing field text_config.rope_parameters.rope_theta`);
  const ropeType = text.rope_parameters?.rope_type;
  if (ropeType !== undefined && ropeType !== 'default') {
    throw unsupported(label, `rope_type ${JSON.stringify(ropeType)} is not supported (Emu3 uses plain RoPE)`);
  }
  // transformers keeps pad/bos/eos in text_config, and the other structural ids only in the tokenizer's
  // vocabulary; the vocabulary also stands in for text_config ids that a diff-only save left out.
  const idOf = (role: keyof SpecialTokenIds, explicit?: number | null): number => {
    if (explicit !== undefined && explicit !== null) return explicit;
    const id = c.vocabulary_map[SPECIAL_TOKEN_STRINGS[role]];
    if (id === undefined) {
      throw new EngineError(
        'invalid_file',
        `${label}: vocabulary_map has no ${SPECIAL_TOKEN_STRINGS[role]} (${role} token)`,
      );
    }
    return id;
  };
  const special: SpecialTokenIds = {
    pad: idOf('pad', text.pad_token_id),
    bos: idOf('bos', text.bos_token_id),
    eos: idOf('eos', text.eos_token_id),
    img: idOf('img'),
    boi: idOf('boi'),
    eoi: idOf('eoi'),
    eol: idOf('eol'),
    eof: idOf('eof'),
  };
  checkSpecialIds(label, special, text.vocab_size);
  const vq = c.vq_config;
  const config: ModelConfig = {
    decoder: decoderConfig(label, text, ropeTheta),
    special,
    vision: visionConfig(label, {
      codebookSize: vq.codebook_size,
      embedDim: vq.embed_dim,
      zChannels: vq.latent_channels,
      doubleZ: vq.double_latent,
      inChannels: vq.in_channels,
      outChannels: vq.out_channels,
      temporalDownsampleFactor: vq.temporal_downsample_factor,
      ch: vq.base_channels,
      chMult: vq.channel_multiplier,
      numResBlocks: vq.num_res_blocks,
      attnResolutions: vq.attn_resolutions,
    }),
    preprocessor: preprocessorConfig(preprocessorJson, labels.preprocessor),
    imageArea: c.image_area ?? HF_DEFAULT_IMAGE_AREA,
  };
  return { config, vocabularyMap: c.vocabulary_map };
}
