/**
 * `emu3 import` and the model commands on the committed fixture checkpoints, through the real binary:
 * idempotent imports, an import killed halfway, and damaged checkpoints that must fail in one line and
 * leave no package behind.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu3, emu3Spawn, lastJson } from './cli.js';
import { repoRoot, waitForLine } from './harness.js';

const FIXTURES = join(repoRoot, 'models/reference/fixtures');
const HF = join(FIXTURES, 'tiny/hf');
const BAAI = join(FIXTURES, 'tiny/original/decoder');

describe('emu3 import and the model commands', () => {
  let work: string;
  const packagesIn = (dir: string) => readdirSync(dir).filter((name) => /^[0-9a-f]{64}$/.test(name));

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'emu3-cli-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('imports a checkpoint once; a second import reuses the package', () => {
    const out = join(work, 'models');
    const first = emu3(['import', HF, '--out', out, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const result = lastJson(first.stdout);
    expect(result).toMatchObject({ event: 'result', reused: false, precision: 'fp32' });
    const again = emu3(['import', HF, '--out', out]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Already imported: /);
    expect(packagesIn(out)).toEqual([result.id]);
  });

  it('describes, tokenizes and runs a checkpoint folder given directly as MODEL', () => {
    const env = { EMU3_HOME: join(work, 'home') };
    const info = emu3(['info', BAAI, '--json'], env);
    expect(info.status, info.stderr).toBe(0);
    const manifest = (
      lastJson(info.stdout) as { manifest: { source: { layout: string }; special: { bos: number } } }
    ).manifest;
    expect(manifest.source.layout).toBe('baai');

    const tokens = emu3(['tokenize', BAAI, '64*64', '--json'], env);
    expect(lastJson(tokens.stdout).ids).toHaveLength(5); // digits split one per token, as Qwen's regex does
    const text = emu3(
      ['tokenize', BAAI, '--decode', (lastJson(tokens.stdout).ids as number[]).join(',')],
      env,
    );
    expect(text.stdout.trim()).toBe('64*64');

    const logits = emu3(
      ['logits', BAAI, '--ids', `${manifest.special.bos},64,220`, '--all', '--json', '--provider', 'cpu'],
      env,
    );
    expect(logits.status, logits.stderr).toBe(0);
    const positions = lastJson(logits.stdout).positions as { position: number; logits: number[] }[];
    expect(positions.map((p) => p.position)).toEqual([0, 1, 2]);
  });

  it('round-trips an image through vq encode and vq decode', () => {
    const env = { EMU3_HOME: join(work, 'home') };
    const codes = join(work, 'codes.json');
    const encoded = emu3(
      ['vq', 'encode', HF, join(FIXTURES, 'goldens/image-24x40.png'), '--out', codes],
      env,
    );
    expect(encoded.status, encoded.stderr).toBe(0);
    expect(encoded.stdout).toContain('image 40×24 → 40×24 → codes 6×10');
    const png = join(work, 'decoded.png');
    const decoded = emu3(['vq', 'decode', HF, '--codes', codes, '--out', png], env);
    expect(decoded.status, decoded.stderr).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('leaves no loadable package when an import is killed halfway, and the next import recovers', async () => {
    const out = join(work, 'killed');
    const child = emu3Spawn(['import', BAAI, '--out', out, '--json']);
    await waitForLine(child, (line) => (line.includes('"phase":"decoder"') ? true : undefined));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(packagesIn(out)).toEqual([]);
    expect(readdirSync(out).some((name) => name.startsWith('.partial-'))).toBe(true);

    const retry = emu3(['import', BAAI, '--out', out]);
    expect(retry.status, retry.stderr).toBe(0);
    expect(packagesIn(out)).toHaveLength(1);
    expect(readdirSync(out).filter((name) => name.startsWith('.partial-'))).toEqual([]);
  });

  describe('damaged checkpoints fail in one line, exit non-zero and leave no package', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'a truncated shard',
        (dir) => truncateSync(join(dir, 'model-00003-of-00018.safetensors'), 200),
        /model-00003-of-00018\.safetensors: .*truncated|model-00003-of-00018\.safetensors/,
      ],
      [
        'a corrupt header',
        (dir) => {
          const file = join(dir, 'model-00001-of-00018.safetensors');
          const bytes = readFileSync(file);
          bytes.write('{garbage', 8);
          writeFileSync(file, bytes);
        },
        /model-00001-of-00018\.safetensors: /,
      ],
      [
        'a missing tensor',
        (dir) => {
          const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
          delete index.weight_map['text_model.model.norm.weight'];
          writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
        },
        /norm\.weight/,
      ],
      [
        'a missing config field',
        (dir) => {
          const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
          delete config.text_config.hidden_size;
          writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
        },
        /config\.json: .*hidden_size/,
      ],
    ];
    it.each(cases)('%s', (_, damage, message) => {
      const dir = mkdtempSync(join(work, 'damaged-'));
      cpSync(HF, dir, { recursive: true });
      damage(dir);
      const out = join(work, `out-${readdirSync(work).length}`);
      const result = emu3(['import', dir, '--out', out]);
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^emu3: /);
      expect(lines[0]).toMatch(message);
      const left = (() => {
        try {
          return readdirSync(out).filter((name) => !name.startsWith('.source-hashes'));
        } catch {
          return [];
        }
      })();
      expect(left).toEqual([]);
    });
  });
});
