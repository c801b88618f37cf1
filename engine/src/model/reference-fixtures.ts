/**
 * Test support: the parity fixtures written by models/reference/make_fixtures.py from transformers' Emu3
 * (see models/reference/FIXTURES.md). Arrays are raw little-endian files described by {file, dtype, shape}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { packageRoot } from '../install/package-info.js';
import type { ModelConfig, SpecialTokenIds } from './model-config.js';

// From the package root, so this works from the sources (tests) and from dist/ (benchmarks) alike.
export const FIXTURES_DIR = join(packageRoot(), 'models', 'reference', 'fixtures');
export const TINY = {
  hf: join(FIXTURES_DIR, 'tiny', 'hf'),
  hfMemory: join(FIXTURES_DIR, 'tiny', 'hf-memory'),
  originalDecoder: join(FIXTURES_DIR, 'tiny', 'original', 'decoder'),
  originalVision: join(FIXTURES_DIR, 'tiny', 'original', 'vision'),
} as const;
export const GOLDENS_DIR = join(FIXTURES_DIR, 'goldens');
const MANIFEST = join(GOLDENS_DIR, 'manifest.json');

/** Whether the goldens are there (for tests that skip without them). */
export function haveGoldens(): boolean {
  return existsSync(MANIFEST);
}

export interface ArrayRef {
  file: string;
  dtype: 'float32' | 'int64' | 'uint8';
  shape: number[];
}

export interface GoldenManifest {
  special: SpecialTokenIds & { visual0: number };
  tokenizer: { cases: { text: string; ids: number[] }[] };
  decoder: {
    sequences: { name: string; ids: number[]; logits: ArrayRef }[];
    batch: { ids: number[][]; attention_mask: number[][]; logits: ArrayRef };
  };
  vq: {
    images: { name: string; png: string; pixels: ArrayRef; codes: ArrayRef; decoded: ArrayRef }[];
    videos: { name: string; pngs: string[]; pixels: ArrayRef; codes: ArrayRef; decoded: ArrayRef }[];
  };
  generation: {
    name: string;
    prompt_ids: number[];
    negative_ids: number[];
    h: number;
    w: number;
    guidance: number;
    output_ids: number[];
  }[];
}

let manifest: GoldenManifest | undefined;

export function goldens(): GoldenManifest {
  manifest ??= JSON.parse(readFileSync(MANIFEST, 'utf8')) as GoldenManifest;
  return manifest;
}

export function goldenFloat32(ref: ArrayRef): Float32Array {
  const bytes = readFileSync(join(GOLDENS_DIR, ref.file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function goldenInt64(ref: ArrayRef): number[] {
  return Array.from(goldenBigInt64(ref), Number);
}

/** An int64 array as stored, e.g. to feed an int64 tensor. */
export function goldenBigInt64(ref: ArrayRef): BigInt64Array {
  const bytes = readFileSync(join(GOLDENS_DIR, ref.file));
  return new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function goldenUint8(ref: ArrayRef): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDENS_DIR, ref.file)));
}

/** A fixture PNG (a path relative to the goldens, as the manifest gives it) as RGB, row-major HWC. */
/** An RGB image, row-major, 3 bytes per pixel (the runtime's RgbFrame, structurally). */
export interface GoldenImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export async function goldenPng(file: string): Promise<GoldenImage> {
  const { data, info } = await sharp(join(GOLDENS_DIR, file))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: ${info.channels} channels, expected RGB`);
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * BAAI/Emu3-Gen with BAAI/Emu3-VisionTokenizer (docs/emu3-facts.md#checkpoint-configs,
 * docs/vision-tokenizer.md#config).
 */
export const EMU3_GEN: ModelConfig = {
  decoder: {
    vocabSize: 184622,
    hiddenSize: 4096,
    numLayers: 32,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    rmsNormEps: 1e-5,
    ropeTheta: 1e6,
    maxPositionEmbeddings: 9216,
  },
  special: {
    pad: 151643,
    bos: 151849,
    eos: 151850,
    img: 151851,
    boi: 151852,
    eoi: 151853,
    eol: 151846,
    eof: 151847,
  },
  vision: {
    codebookSize: 32768,
    embedDim: 4,
    zChannels: 4,
    inChannels: 3,
    outChannels: 3,
    ch: 256,
    chMult: [1, 2, 2, 4],
    numResBlocks: 2,
    attnResolutions: [3],
    temporalDownsampleFactor: 4,
    spatialFactor: 8,
  },
  preprocessor: {
    imageMean: [0.5, 0.5, 0.5],
    imageStd: [0.5, 0.5, 0.5],
    rescaleFactor: 1 / 255,
    minPixels: 512 * 512,
    maxPixels: 1024 * 1024,
    spatialFactor: 8,
  },
  imageArea: 518400,
};
