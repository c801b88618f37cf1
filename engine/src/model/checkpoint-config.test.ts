import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { baaiModelConfig, hfModelConfig, preprocessorConfig } from './checkpoint-config.js';
import { EMU3_GEN } from './reference-fixtures.js';

/** BAAI/Emu3-Gen config.json (docs/emu3-facts.md#checkpoint-configs). */
const baaiDecoder = () => ({
  architectures: ['Emu3ForCausalLM'],
  model_type: 'Emu3',
  attention_dropout: 0.1,
  hidden_act: 'silu',
  hidden_size: 4096,
  image_area: 518400,
  intermediate_size: 14336,
  max_position_embeddings: 9216,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 1000000.0,
  tie_word_embeddings: false,
  vocab_size: 184622,
  pad_token_id: 151643,
  bos_token_id: 151849,
  eos_token_id: 151850,
  img_token_id: 151851,
  boi_token_id: 151852,
  eoi_token_id: 151853,
  eol_token_id: 151846,
  eof_token_id: 151847,
});

/** BAAI/Emu3-VisionTokenizer config.json (docs/vision-tokenizer.md#config). */
const baaiVision = () => ({
  model_type: 'Emu3VisionVQ',
  codebook_size: 32768,
  embed_dim: 4,
  z_channels: 4,
  double_z: false,
  in_channels: 3,
  out_channels: 3,
  temporal_downsample_factor: 4,
  ch: 256,
  ch_mult: [1, 2, 2, 4],
  num_res_blocks: 2,
  attn_resolutions: [3],
  dropout: 0.0,
});

/** Emu3VisionVQImageProcessor's preprocessor_config.json (docs/vision-tokenizer.md#preprocessing). */
const preprocessor = () => ({
  image_processor_type: 'Emu3VisionVQImageProcessor',
  do_normalize: true,
  do_rescale: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
  rescale_factor: 1 / 255,
  min_pixels: 262144,
  max_pixels: 1048576,
  spatial_factor: 8,
});

const labels = {
  decoder: 'decoder/config.json',
  vision: 'vision/config.json',
  preprocessor: 'vision/pre.json',
};

/** The same model as transformers would save it. */
const hfConfig = () => ({
  model_type: 'emu3',
  text_config: {
    vocab_size: 184622,
    hidden_size: 4096,
    intermediate_size: 14336,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 9216,
    rms_norm_eps: 1e-5,
    rope_parameters: { rope_theta: 1e6, rope_type: 'default' },
    pad_token_id: 151643,
    bos_token_id: 151849,
    eos_token_id: 151850,
  } as Record<string, unknown>,
  vq_config: {
    codebook_size: 32768,
    embed_dim: 4,
    latent_channels: 4,
    double_latent: false,
    in_channels: 3,
    out_channels: 3,
    temporal_downsample_factor: 4,
    base_channels: 256,
    channel_multiplier: [1, 2, 2, 4],
    num_res_blocks: 2,
    attn_resolutions: [3],
    hidden_size: 1024,
  } as Record<string, unknown>,
  vocabulary_map: {
    '<|endoftext|>': 151643,
    '<|extra_200|>': 151846,
    '<|extra_201|>': 151847,
    '<|extra_203|>': 151849,
    '<|extra_204|>': 151850,
    '<|image token|>': 151851,
    '<|image start|>': 151852,
    '<|image end|>': 151853,
  } as Record<string, number>,
});

const hfLabels = { config: 'hf/config.json', preprocessor: 'hf/preprocessor_config.json' };

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError');
}

describe('BAAI configs', () => {
  it('converts Emu3-Gen and its vision tokenizer', () => {
    expect(baaiModelConfig(baaiDecoder(), baaiVision(), preprocessor(), labels)).toEqual(EMU3_GEN);
  });

  it('names the file and the field that is missing or wrong', () => {
    const decoder: Record<string, unknown> = baaiDecoder();
    delete decoder.eof_token_id;
    const missing = thrown(() => baaiModelConfig(decoder, baaiVision(), preprocessor(), labels));
    expect([missing.code, missing.message]).toEqual([
      'invalid_file',
      'decoder/config.json: missing field eof_token_id',
    ]);
    const vision = { ...baaiVision(), ch_mult: [1, '2'] };
    expect(thrown(() => baaiModelConfig(baaiDecoder(), vision, preprocessor(), labels)).message).toBe(
      'vision/config.json: field ch_mult.1: Invalid input: expected number, received string',
    );
    expect(thrown(() => baaiModelConfig(baaiDecoder(), baaiVision(), {}, labels)).message).toBe(
      'vision/pre.json: missing field image_mean',
    );
  });

  it.each([
    [
      { hidden_act: 'gelu' },
      'unsupported',
      'decoder/config.json: hidden_act "gelu" is not supported (Emu3 uses silu)',
    ],
    [
      { rope_scaling: { type: 'linear' } },
      'unsupported',
      'decoder/config.json: rope_scaling is not supported (Emu3 uses plain RoPE)',
    ],
    [
      { tie_word_embeddings: true },
      'unsupported',
      'decoder/config.json: tied word embeddings are not supported',
    ],
    [
      { num_key_value_heads: 5 },
      'invalid_file',
      'decoder/config.json: 32 attention heads do not split into 5 KV groups',
    ],
    [
      { eol_token_id: 184622 },
      'invalid_file',
      'decoder/config.json: eol token id 184622 is outside the vocabulary (184622)',
    ],
  ])('refuses %j', (change, code, message) => {
    const error = thrown(() =>
      baaiModelConfig({ ...baaiDecoder(), ...change }, baaiVision(), preprocessor(), labels),
    );
    expect([error.code, error.message]).toEqual([code, message]);
  });

  it('refuses a doubled latent and a temporal factor that is not a power of two', () => {
    const doubled = { ...baaiVision(), double_z: true };
    expect(thrown(() => baaiModelConfig(baaiDecoder(), doubled, preprocessor(), labels)).code).toBe(
      'unsupported',
    );
    const odd = { ...baaiVision(), temporal_downsample_factor: 3 };
    expect(thrown(() => baaiModelConfig(baaiDecoder(), odd, preprocessor(), labels)).message).toBe(
      'vision/config.json: temporal_downsample_factor 3 is not a power of two',
    );
  });

  it('treats absent KV heads as multi-head attention', () => {
    const decoder: Record<string, unknown> = baaiDecoder();
    delete decoder.num_key_value_heads;
    expect(baaiModelConfig(decoder, baaiVision(), preprocessor(), labels).decoder.numKvHeads).toBe(32);
  });
});

describe('transformers configs', () => {
  const baai = baaiModelConfig(baaiDecoder(), baaiVision(), preprocessor(), labels);

  it('converts to the same ModelConfig as the BAAI files', () => {
    const { config, vocabularyMap } = hfModelConfig(
      { ...hfConfig(), image_area: 518400 },
      preprocessor(),
      hfLabels,
    );
    expect(config).toEqual(baai);
    expect(vocabularyMap['<|image end|>']).toBe(151853);
  });

  it("defaults the image area to transformers' processor default", () => {
    expect(hfModelConfig(hfConfig(), preprocessor(), hfLabels).config.imageArea).toBe(518400);
  });

  it('accepts the 4.x rope_theta and takes pad/bos/eos from the vocabulary when text_config omits them', () => {
    const json = hfConfig();
    delete json.text_config.rope_parameters;
    json.text_config.rope_theta = 1e6;
    delete json.text_config.pad_token_id;
    delete json.text_config.bos_token_id;
    delete json.text_config.eos_token_id;
    expect(hfModelConfig(json, preprocessor(), hfLabels).config).toEqual({ ...baai, imageArea: 518400 });
  });

  it('reports a missing rope theta, a missing special token and a scaled rope', () => {
    const noTheta = hfConfig();
    delete noTheta.text_config.rope_parameters;
    expect(thrown(() => hfModelConfig(noTheta, preprocessor(), hfLabels)).message).toBe(
      'hf/config.json: missing field text_config.rope_parameters.rope_theta',
    );
    const noBoi = hfConfig();
    delete noBoi.vocabulary_map['<|image start|>'];
    expect(thrown(() => hfModelConfig(noBoi, preprocessor(), hfLabels)).message).toBe(
      'hf/config.json: vocabulary_map has no <|image start|> (boi token)',
    );
    const scaled = hfConfig();
    scaled.text_config.rope_parameters = { rope_theta: 1e6, rope_type: 'yarn' };
    const error = thrown(() => hfModelConfig(scaled, preprocessor(), hfLabels));
    expect([error.code, error.message]).toEqual([
      'unsupported',
      'hf/config.json: rope_type "yarn" is not supported (Emu3 uses plain RoPE)',
    ]);
    const noVq = hfConfig();
    delete noVq.vq_config.channel_multiplier;
    expect(thrown(() => hfModelConfig(noVq, preprocessor(), hfLabels)).message).toBe(
      'hf/config.json: missing field vq_config.channel_multiplier',
    );
  });
});

describe('preprocessor_config.json', () => {
  it('accepts scalar mean/std and folds skipped steps into identities', () => {
    const file = { ...preprocessor(), image_mean: 0.5, image_std: 0.25, do_rescale: false };
    expect(preprocessorConfig(file, 'p.json')).toMatchObject({
      imageMean: [0.5, 0.5, 0.5],
      imageStd: [0.25, 0.25, 0.25],
      rescaleFactor: 1,
    });
    const unnormalized = preprocessorConfig({ ...preprocessor(), do_normalize: false }, 'p.json');
    expect(unnormalized).toMatchObject({ imageMean: [0, 0, 0], imageStd: [1, 1, 1], rescaleFactor: 1 / 255 });
  });
});
