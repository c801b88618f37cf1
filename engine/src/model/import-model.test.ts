import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forwardLogits } from '../runtime/decoder-runner.js';
import { importModel } from './import-model.js';
import { openModel } from '../runtime/open-model.js';
import { readManifest } from './package-manifest.js';
import { goldenFloat32, goldens, maxAbsDiff, TINY } from './reference-fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu3-import-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('importModel', () => {
  it('writes a package whose manifest records every file with its size and hash', async () => {
    const modelsDir = tempDir();
    const { dir, manifest, reused } = await importModel(TINY.hf, { modelsDir });
    expect(reused).toBe(false);
    expect(await readManifest(dir)).toEqual(manifest);
    expect(manifest.source.layout).toBe('hf-disk');
    expect(manifest.files.map((f) => f.path)).toEqual([
      'decoder.onnx',
      'tokenizer/tokenizer.json',
      'tokenizer/vocabulary_map.json',
      'vq_decoder.onnx',
      'vq_encoder.onnx',
    ]);
    for (const file of manifest.files) expect(statSync(join(dir, file.path)).size).toBe(file.bytes);
    expect(manifest.visualTokens).toEqual({ first: goldens().special.visual0, count: 40 });
    const again = await importModel(TINY.hf, { modelsDir });
    expect(again).toMatchObject({ dir, reused: true });
  });

  it('keys packages by their source files and precision', async () => {
    const modelsDir = tempDir();
    const fp32 = await importModel(TINY.hf, { modelsDir });
    const int8 = await importModel(TINY.hf, { modelsDir, precision: 'int8' });
    const baai = await importModel(TINY.originalDecoder, { modelsDir });
    expect(new Set([fp32.manifest.id, int8.manifest.id, baai.manifest.id]).size).toBe(3);
    expect(readdirSync(modelsDir).filter((name) => !name.startsWith('.'))).toHaveLength(3);
  });

  it('streams decoder weights to an external data file for large graphs, with the same logits', async () => {
    const modelsDir = tempDir();
    const { dir } = await importModel(TINY.hfMemory, { modelsDir, externalDataAbove: 0 });
    expect(existsSync(join(dir, 'decoder.onnx.data'))).toBe(true);
    expect(statSync(join(dir, 'decoder.onnx')).size).toBeLessThan(100_000);
    const model = await openModel(dir, { provider: 'cpu' });
    const [sequence] = goldens().decoder.sequences;
    const vocab = model.manifest.decoder.vocabSize;
    const expected = goldenFloat32(sequence!.logits);
    const [last] = await forwardLogits(model, sequence!.ids, false);
    const at = last!.position * vocab;
    expect(maxAbsDiff(last!.logits, expected.subarray(at, at + vocab))).toBeLessThan(1e-4);
    await model.close();
  });

  it('refuses a package whose files were damaged after import', async () => {
    const modelsDir = tempDir();
    const { dir } = await importModel(TINY.hf, { modelsDir });
    rmSync(join(dir, 'vq_decoder.onnx'));
    await expect(openModel(dir)).rejects.toThrow(
      `${join(dir, 'vq_decoder.onnx')}: missing from the model package`,
    );
  });
});

describe('importModel over a damaged package', () => {
  it('replaces a package folder whose manifest is unreadable', async () => {
    const modelsDir = tempDir();
    const { dir, manifest } = await importModel(TINY.hf, { modelsDir });
    writeFileSync(join(dir, 'manifest.json'), '{"format": "emu3-studio-model", "truncated');
    const again = await importModel(TINY.hf, { modelsDir });
    expect(again).toMatchObject({ dir, reused: false });
    expect(again.manifest.files).toEqual(manifest.files);
  });
});
