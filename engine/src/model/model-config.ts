/**
 * The model as the engine sees it, whatever checkpoint layout it came from. The importer
 * (`checkpoint.ts`) fills these from config.json files of either naming style; the graph builders read them.
 */

/** The Llama-style decoder (docs/emu3-facts.md#the-decoder). */
export interface DecoderConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  /** hiddenSize / numHeads unless the config says otherwise. */
  headDim: number;
  intermediateSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
}

/** Ids of the structural tokens, from config.json (and checked against the tokenizer files). */
export interface SpecialTokenIds {
  pad: number;
  bos: number;
  eos: number;
  /** `<|image token|>`: the paper's [SOT], starts the visual tokens of a block. */
  img: number;
  /** `<|image start|>` */
  boi: number;
  /** `<|image end|>` */
  eoi: number;
  /** `<|extra_200|>`: end of an image row. */
  eol: number;
  /** `<|extra_201|>`: end of a (latent) frame. */
  eof: number;
}

/** The vision tokenizer (docs/vision-tokenizer.md#config), in the BAAI original field names' meaning. */
export interface VisionConfig {
  codebookSize: number;
  embedDim: number;
  zChannels: number;
  inChannels: number;
  outChannels: number;
  ch: number;
  chMult: number[];
  numResBlocks: number;
  /** Level indices (not pixel sizes) whose blocks carry attention. */
  attnResolutions: number[];
  temporalDownsampleFactor: number;
  /** 2^(chMult.length - 1) */
  spatialFactor: number;
}

/**
 * Image preprocessing for the vision encoder (docs/vision-tokenizer.md#preprocessing), from
 * preprocessor_config.json.
 */
export interface PreprocessorConfig {
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  rescaleFactor: number;
  minPixels: number;
  maxPixels: number;
  spatialFactor: number;
}

export interface ModelConfig {
  decoder: DecoderConfig;
  special: SpecialTokenIds;
  vision: VisionConfig;
  preprocessor: PreprocessorConfig;
  /** Default generation area in pixels (config.json `image_area`; 518400 for Emu3-Gen). */
  imageArea: number;
}
