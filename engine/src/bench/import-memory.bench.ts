/**
 * Memory check of importing: writes a synthetic Emu3 checkpoint of more than 2 GB (transformers layout,
 * 8 shards, F32 layers and BF16 embeddings, the tiny fixture's tokenizer), then
 * 1. opens it with `openCheckpoint` and reads every tensor through its TensorSource, one at a time;
 * 2. runs the whole `importModel` (graphs included) at int4 and at fp32, each in a fresh process;
 * recording peak RSS of each. The point is that the peak follows the largest tensor, not the checkpoint.
 *
 *   npm run bench:import [scratch dir]
 *
 * Prints one JSON object and deletes what it wrote.
 */
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { openCheckpoint } from '../model/checkpoint.js';
import { expectedTensors, toSourceName } from '../model/checkpoint-names.js';
import type { ModelConfig } from '../model/model-config.js';

/** A 2-billion-parameter-class decoder in miniature: big enough tensors, a tiny vision tokenizer. */
const CONFIG: ModelConfig = {
  decoder: {
    vocabSize: 65536,
    hiddenSize: 2048,
    numLayers: 10,
    numHeads: 16,
    numKvHeads: 4,
    headDim: 128,
    intermediateSize: 5632,
    rmsNormEps: 1e-5,
    ropeTheta: 1e6,
    maxPositionEmbeddings: 4096,
  },
  // The ids of the tiny fixture's tokenizer, which this checkpoint borrows.
  special: { pad: 320, bos: 526, eos: 527, img: 528, boi: 529, eoi: 530, eol: 523, eof: 524 },
  vision: {
    codebookSize: 40,
    embedDim: 4,
    zChannels: 4,
    inChannels: 3,
    outChannels: 3,
    temporalDownsampleFactor: 4,
    ch: 32,
    chMult: [1, 2, 2],
    numResBlocks: 1,
    attnResolutions: [2],
    spatialFactor: 4,
  },
  preprocessor: {
    imageMean: [0.5, 0.5, 0.5],
    imageStd: [0.5, 0.5, 0.5],
    rescaleFactor: 1 / 255,
    minPixels: 256,
    maxPixels: 4096,
    spatialFactor: 4,
  },
  imageArea: 576,
};

const SHARDS = 8;
const WRITE_CHUNK_ELEMENTS = 4 * 1024 * 1024;

/** The value at element i of every synthetic tensor, so reads can be checked without keeping the data. */
const valueAt = (i: number) => (((i * 2654435761) >>> 0) / 2 ** 32 - 0.5) * 0.1;

interface Planned {
  name: string;
  dtype: 'F32' | 'BF16';
  shape: number[];
  bytes: number;
}

function plan(): Planned[] {
  const tensors: Planned[] = [];
  for (const [canonical, shape] of expectedTensors(CONFIG)) {
    const name = toSourceName('hf-disk', canonical);
    // transformers stores the VQ attention projections as Linear [C, C].
    const stored = /\.(?:q_proj|k_proj|v_proj|out_proj)\.weight$/.test(name) ? shape.slice(0, 2) : shape;
    const dtype =
      canonical.endsWith('embed_tokens.weight') || canonical === 'lm_head.weight' ? 'BF16' : 'F32';
    const count = stored.reduce((product, dim) => product * dim, 1);
    tensors.push({ name, dtype, shape: stored, bytes: count * (dtype === 'BF16' ? 2 : 4) });
  }
  return tensors;
}

/** Streams one shard: header, then each tensor generated chunk by chunk. */
function writeShard(path: string, tensors: Planned[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const tensor of tensors) {
    header[tensor.name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.bytes],
    };
    offset += tensor.bytes;
  }
  const text = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, text);
    const f32 = new Float32Array(WRITE_CHUNK_ELEMENTS);
    const bits = new Uint32Array(f32.buffer);
    const bf16 = new Uint16Array(WRITE_CHUNK_ELEMENTS);
    for (const tensor of tensors) {
      const count = tensor.bytes / (tensor.dtype === 'BF16' ? 2 : 4);
      for (let start = 0; start < count; start += WRITE_CHUNK_ELEMENTS) {
        const n = Math.min(WRITE_CHUNK_ELEMENTS, count - start);
        for (let i = 0; i < n; i++) f32[i] = valueAt(start + i);
        if (tensor.dtype === 'F32') {
          writeSync(fd, new Uint8Array(f32.buffer, 0, n * 4));
        } else {
          for (let i = 0; i < n; i++) bf16[i] = bits[i]! >>> 16;
          writeSync(fd, new Uint8Array(bf16.buffer, 0, n * 2));
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function writeCheckpoint(dir: string): number {
  const tensors = plan();
  const total = tensors.reduce((sum, tensor) => sum + tensor.bytes, 0);
  const weightMap: Record<string, string> = {};
  let shard = 0;
  let current: Planned[] = [];
  let currentBytes = 0;
  const flush = () => {
    const file = `model-${String(shard + 1).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}.safetensors`;
    writeShard(join(dir, file), current);
    for (const tensor of current) weightMap[tensor.name] = file;
    shard++;
    current = [];
    currentBytes = 0;
  };
  for (const tensor of tensors) {
    current.push(tensor);
    currentBytes += tensor.bytes;
    if (currentBytes >= total / SHARDS && shard < SHARDS - 1) flush();
  }
  flush();
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: {}, weight_map: weightMap }),
  );
  writeConfigs(dir);
  return [...new Set(Object.values(weightMap))].reduce(
    (sum, file) => sum + statSync(join(dir, file)).size,
    0,
  );
}

function writeConfigs(dir: string): void {
  const { decoder: d, vision: v, special } = CONFIG;
  void special;
  const fixtureConfig = JSON.parse(readFileSync(join(TINY.hf, 'config.json'), 'utf8')) as {
    vocabulary_map: Record<string, number>;
  };
  const vocabularyMap = fixtureConfig.vocabulary_map;
  const config = {
    model_type: 'emu3',
    image_area: CONFIG.imageArea,
    vocabulary_map: vocabularyMap,
    text_config: {
      vocab_size: d.vocabSize,
      hidden_size: d.hiddenSize,
      num_hidden_layers: d.numLayers,
      num_attention_heads: d.numHeads,
      num_key_value_heads: d.numKvHeads,
      intermediate_size: d.intermediateSize,
      rms_norm_eps: d.rmsNormEps,
      max_position_embeddings: d.maxPositionEmbeddings,
      rope_parameters: { rope_theta: d.ropeTheta, rope_type: 'default' },
    },
    vq_config: {
      codebook_size: v.codebookSize,
      embed_dim: v.embedDim,
      latent_channels: v.zChannels,
      in_channels: v.inChannels,
      out_channels: v.outChannels,
      temporal_downsample_factor: v.temporalDownsampleFactor,
      base_channels: v.ch,
      channel_multiplier: v.chMult,
      num_res_blocks: v.numResBlocks,
      attn_resolutions: v.attnResolutions,
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const p = CONFIG.preprocessor;
  writeFileSync(
    join(dir, 'preprocessor_config.json'),
    JSON.stringify({
      image_mean: p.imageMean,
      image_std: p.imageStd,
      rescale_factor: p.rescaleFactor,
      min_pixels: p.minPixels,
      max_pixels: p.maxPixels,
      spatial_factor: p.spatialFactor,
    }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), readFileSync(join(TINY.hf, 'tokenizer.json')));
}

/** Child mode: one whole import, reporting its own peak RSS. */
async function importOnce(dir: string, precision: 'int4' | 'fp32'): Promise<void> {
  const modelsDir = mkdtempSync(join(dir, `models-${precision}-`));
  const start = performance.now();
  await importModel(dir, { modelsDir, precision });
  console.log(
    JSON.stringify({
      precision,
      seconds: (performance.now() - start) / 1000,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }),
  );
}

function measureImport(dir: string, precision: 'int4' | 'fp32'): unknown {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [self, '--import', dir, precision], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`import ${precision} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--import') return importOnce(process.argv[3]!, process.argv[4] as 'int4' | 'fp32');
  const scratch = process.argv[2] ?? tmpdir();
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'import-memory-'));
  try {
    const writeStart = performance.now();
    const checkpointBytes = writeCheckpoint(dir);
    const writeSeconds = (performance.now() - writeStart) / 1000;
    const rssBeforeRead = process.memoryUsage().rss;

    let peakRss = rssBeforeRead;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const readStart = performance.now();
    const checkpoint = await openCheckpoint(dir);
    let largestTensorBytes = 0;
    let checked = 0;
    for (const name of checkpoint.tensors.names()) {
      const values = await checkpoint.tensors.readFloat32(name);
      largestTensorBytes = Math.max(largestTensorBytes, values.byteLength);
      const bf16 = checkpoint.tensors.sourceDtype(name) === 'BF16';
      for (const i of [0, 1, values.length >> 1, values.length - 1]) {
        if (i < 0 || i >= values.length) continue;
        const expected = new Float32Array([valueAt(i)]);
        if (bf16) new Uint32Array(expected.buffer)[0]! &= 0xffff0000;
        if (values[i] !== expected[0])
          throw new Error(`${name}[${i}] = ${values[i]}, expected ${expected[0]}`);
        checked++;
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - readStart) / 1000;
    clearInterval(sampler);
    console.log(
      JSON.stringify(
        {
          checkpointBytes,
          tensors: checkpoint.tensors.names().length,
          largestTensorBytes,
          rssBeforeReadBytes: rssBeforeRead,
          peakRssBytes: peakRss,
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
          seconds,
          writeSeconds,
          valuesChecked: checked,
          imports: [measureImport(dir, 'int4'), measureImport(dir, 'fp32')],
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
