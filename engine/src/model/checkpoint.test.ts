/**
 * openCheckpoint on the tiny reference model (models/reference/FIXTURES.md), written by transformers in all
 * three layouts, and on broken copies of it.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { type Checkpoint, expectedTensors, openCheckpoint } from './checkpoint.js';
import { goldens, TINY } from './reference-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'checkpoint-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
/** A private copy of fixture folders: `{ decoder: TINY.originalDecoder }` copies to `<new dir>/decoder`. */
function copyFixture(folders: Record<string, string>): string {
  const root = join(tmp, `copy-${copies++}`);
  for (const [to, from] of Object.entries(folders)) cpSync(from, join(root, to), { recursive: true });
  return root;
}

function editJson(path: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;

/** Rewrites a safetensors header in place, keeping the data region (offsets stay valid). */
function editHeader(path: string, edit: (header: Header) => void): void {
  const file = readFileSync(path);
  const length = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + length).toString('utf8')) as Header;
  edit(header);
  const text = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(path, Buffer.concat([prefix, text, file.subarray(8 + length)]));
}

async function openError(src: string, options?: { visionDir?: string }): Promise<EngineError> {
  const error = await openCheckpoint(src, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('the tiny model in all three layouts', () => {
  let layouts: Checkpoint[];
  beforeAll(async () => {
    layouts = await Promise.all(
      [TINY.originalDecoder, TINY.hf, TINY.hfMemory].map((folder) => openCheckpoint(folder)),
    );
  });

  it('detects each layout', () => {
    expect(layouts.map((checkpoint) => checkpoint.layout)).toEqual(['baai', 'hf-disk', 'hf-memory']);
  });

  it('reads the same ModelConfig from both config styles, with the reference special ids', () => {
    const [baai, hfDisk, hfMemory] = layouts.map((checkpoint) => checkpoint.config);
    expect(hfDisk).toEqual(baai);
    expect(hfMemory).toEqual(baai);
    const { visual0, ...special } = goldens().special;
    expect(baai!.special).toEqual(special);
    expect(visual0).toBe(baai!.decoder.vocabSize - baai!.vision.codebookSize);
    expect(baai!.decoder).toMatchObject({
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 16,
    });
    expect(baai!.vision).toMatchObject({ codebookSize: 40, chMult: [1, 2, 2], spatialFactor: 4 });
  });

  it('names the same canonical tensors with the same shapes, as the config implies', () => {
    const expected = expectedTensors(layouts[0]!.config);
    for (const checkpoint of layouts) {
      expect(checkpoint.tensors.names()).toEqual([...expected.keys()]);
      for (const [name, shape] of expected) expect(checkpoint.tensors.shape(name), name).toEqual(shape);
    }
    expect(layouts[1]!.tensors.shape('decoder.up.2.attn.1.proj_out.weight')).toEqual([64, 64, 1, 1]);
  });

  it('gives bit-identical float32 values for every tensor (bf16 original vs fp32 transformers)', async () => {
    const [baai, hfDisk, hfMemory] = layouts.map((checkpoint) => checkpoint.tensors);
    expect(baai!.sourceDtype('lm_head.weight')).toBe('BF16');
    expect(hfDisk!.sourceDtype('lm_head.weight')).toBe('F32');
    for (const name of baai!.names()) {
      const reference = Buffer.from((await baai!.readFloat32(name)).buffer);
      for (const other of [hfDisk!, hfMemory!]) {
        const values = await other.readFloat32(name);
        expect(values.length, name).toBe(reference.length / 4);
        expect(Buffer.from(values.buffer).equals(reference), name).toBe(true);
      }
    }
  });

  it('lists every file the import reads, and the tokenizer files', () => {
    const [baai, hfDisk, hfMemory] = layouts;
    for (const checkpoint of layouts) {
      for (const file of checkpoint.sourceFiles) expect(existsSync(file), file).toBe(true);
    }
    const decoder = TINY.originalDecoder;
    const vision = TINY.originalVision;
    expect(baai!.tokenizer).toEqual({
      kind: 'tiktoken',
      tiktoken: join(decoder, 'emu3.tiktoken'),
      visionTokens: join(decoder, 'emu3_vision_tokens.txt'),
    });
    expect(baai!.sourceFiles).toEqual(
      expect.arrayContaining([join(vision, 'config.json'), join(vision, 'preprocessor_config.json')]),
    );
    expect(hfDisk!.tokenizer).toMatchObject({
      kind: 'tokenizer.json',
      path: join(TINY.hf, 'tokenizer.json'),
    });
    expect(
      hfDisk!.tokenizer.kind === 'tokenizer.json' && hfDisk!.tokenizer.vocabularyMap?.['<|image start|>'],
    ).toBe(goldens().special.boi);
    // The index plus 18 shards.
    expect(hfDisk!.sourceFiles.filter((file) => file.includes('safetensors'))).toHaveLength(19);
    expect(hfMemory!.sourceFiles).toContain(join(TINY.hfMemory, 'model.safetensors'));
  });
});

describe('finding the vision tokenizer of a BAAI checkpoint', () => {
  it('uses a sibling folder, a child folder, or the one given', async () => {
    const siblings = copyFixture({ decoder: TINY.originalDecoder, vq: TINY.originalVision });
    expect((await openCheckpoint(join(siblings, 'decoder'))).sourceFiles).toContain(
      join(siblings, 'vq/config.json'),
    );
    const nested = copyFixture({ decoder: TINY.originalDecoder, 'decoder/tokenizer': TINY.originalVision });
    expect((await openCheckpoint(join(nested, 'decoder'))).layout).toBe('baai');
    const apart = copyFixture({ 'a/decoder': TINY.originalDecoder, 'b/vision': TINY.originalVision });
    const error = await openError(join(apart, 'a/decoder'));
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/no vision tokenizer folder .* pass it with --vq DIR$/);
    const opened = await openCheckpoint(join(apart, 'a/decoder'), { visionDir: join(apart, 'b/vision') });
    expect(opened.config.vision.codebookSize).toBe(40);
  });

  it('refuses to guess between two candidates, and explains a vision folder given as the model', async () => {
    const two = copyFixture({
      decoder: TINY.originalDecoder,
      v1: TINY.originalVision,
      v2: TINY.originalVision,
    });
    expect((await openError(join(two, 'decoder'))).message).toMatch(
      /several vision tokenizer folders found .* --vq DIR$/,
    );
    const error = await openError(join(two, 'v1'));
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(/holds the vision tokenizer .* pass this one with --vq$/);
  });
});

describe('broken checkpoints', () => {
  it('names missing tensors as the layout names them', async () => {
    const root = copyFixture({ decoder: TINY.originalDecoder, vision: TINY.originalVision });
    editHeader(join(root, 'vision/model.safetensors'), (header) => {
      delete header['encoder.mid.attn_1.q.weight'];
    });
    const baai = await openError(join(root, 'decoder'));
    expect(baai.code).toBe('invalid_file');
    expect(baai.message).toBe(
      `${join(root, 'decoder')} + ${join(root, 'vision')}: the weights do not match the config: missing encoder.mid.attn_1.q.weight`,
    );

    const memory = copyFixture({ hf: TINY.hfMemory });
    editHeader(join(memory, 'hf/model.safetensors'), (header) => {
      delete header['model.vqmodel.decoder.middle_block.attn_norm.conv_y.weight'];
      delete header['model.text_model.layers.1.mlp.up_proj.weight'];
    });
    expect((await openError(join(memory, 'hf'))).message).toBe(
      `${join(memory, 'hf')}: the weights do not match the config: missing ` +
        'model.text_model.layers.1.mlp.up_proj.weight, model.vqmodel.decoder.middle_block.attn_norm.conv_y.weight',
    );
  });

  it('reports unexpected and misshapen tensors by name', async () => {
    const root = copyFixture({ hf: TINY.hfMemory });
    editHeader(join(root, 'hf/model.safetensors'), (header) => {
      header['model.vqmodel.encoder.extra.weight'] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
      header['vision_tower.weight'] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
      const norm = header['model.text_model.norm.weight']!;
      norm.shape = [8, 8];
    });
    expect((await openError(join(root, 'hf'))).message).toBe(
      `${join(root, 'hf')}: the weights do not match the config: ` +
        'unexpected vision_tower.weight, model.vqmodel.encoder.extra.weight; ' +
        'wrong shape: model.text_model.norm.weight is [8, 8], expected [64]',
    );
  });

  it('ignores the BatchNorm step counters the checkpoints carry', async () => {
    const file = readFileSync(join(TINY.hfMemory, 'model.safetensors'));
    const header = file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8');
    expect(header).toContain('model.vqmodel.encoder.time_res_stack.0.norm1.num_batches_tracked');
    const names = (await openCheckpoint(TINY.hfMemory)).tensors.names();
    expect(names).toContain('encoder.time_res_stack.0.norm1.running_var');
    expect(names.filter((name) => name.includes('num_batches_tracked'))).toEqual([]);
  });

  it('names the config file and the missing field', async () => {
    const root = copyFixture({ decoder: TINY.originalDecoder, vision: TINY.originalVision, hf: TINY.hf });
    editJson(join(root, 'decoder/config.json'), (json) => delete json.rope_theta);
    const baai = await openError(join(root, 'decoder'));
    expect([baai.code, baai.message]).toEqual([
      'invalid_file',
      'decoder/config.json: missing field rope_theta',
    ]);
    editJson(join(root, 'vision/config.json'), (json) => delete json.ch_mult);
    editJson(join(root, 'decoder/config.json'), (json) => (json.rope_theta = 1e6));
    expect((await openError(join(root, 'decoder'))).message).toBe(
      'vision/config.json: missing field ch_mult',
    );
    editJson(
      join(root, 'hf/config.json'),
      (json) => delete (json.vq_config as Record<string, unknown>).base_channels,
    );
    expect((await openError(join(root, 'hf'))).message).toBe(
      'hf/config.json: missing field vq_config.base_channels',
    );
  });

  it('accepts the legacy rope_theta of transformers 4.x configs', async () => {
    const root = copyFixture({ hf: TINY.hf });
    editJson(join(root, 'hf/config.json'), (json) => {
      const text = json.text_config as Record<string, unknown>;
      delete text.rope_parameters;
      text.rope_theta = 1e6;
    });
    const legacy = await openCheckpoint(join(root, 'hf'));
    expect(legacy.config).toEqual((await openCheckpoint(TINY.hf)).config);
  });

  it('reports a corrupt header and a truncated shard', async () => {
    const root = copyFixture({ decoder: TINY.originalDecoder, vision: TINY.originalVision, hf: TINY.hf });
    const vision = join(root, 'vision/model.safetensors');
    const bytes = readFileSync(vision);
    bytes.write('#garbage', 8);
    writeFileSync(vision, bytes);
    const corrupt = await openError(join(root, 'decoder'));
    expect(corrupt.code).toBe('invalid_file');
    expect(corrupt.message).toMatch(/^model\.safetensors: header is not valid JSON/);

    const shard = join(root, 'hf/model-00018-of-00018.safetensors');
    const size = readFileSync(shard).length;
    truncateSync(shard, size - 100);
    expect((await openError(join(root, 'hf'))).message).toMatch(
      new RegExp(
        `^model-00018-of-00018\\.safetensors: truncated: tensor \\S+ ends at byte \\d+ but the file has \\d+ data bytes$`,
      ),
    );
  });

  it('reports missing files and foreign models', async () => {
    const root = copyFixture({ decoder: TINY.originalDecoder, vision: TINY.originalVision, hf: TINY.hf });
    rmSync(join(root, 'decoder/emu3_vision_tokens.txt'));
    const tokens = await openError(join(root, 'decoder'));
    expect([tokens.code, tokens.message]).toEqual([
      'not_found',
      `${join(root, 'decoder/emu3_vision_tokens.txt')}: missing`,
    ]);
    rmSync(join(root, 'hf/model-00003-of-00018.safetensors'));
    const shard = await openError(join(root, 'hf'));
    expect(shard.code).toBe('not_found');
    expect(shard.message).toMatch(
      /^model\.safetensors\.index\.json: shard model-00003-of-00018\.safetensors/,
    );
    editJson(join(root, 'hf/config.json'), (json) => (json.model_type = 'llama'));
    const foreign = await openError(join(root, 'hf'));
    expect([foreign.code, foreign.message]).toEqual([
      'unsupported',
      'hf/config.json: model_type "llama" is not an Emu3 checkpoint (expected "Emu3" or "emu3")',
    ]);
    expect((await openError(join(root, 'nowhere'))).code).toBe('not_found');
  });
});
