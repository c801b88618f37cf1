/**
 * Lints code as if it lived in each process folder, with the repository's own eslint.config.js,
 * and checks that the layering rule rejects what docs/architecture.md forbids and lets the rest through.
 */
import { ESLint } from 'eslint';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot });
const eslintBin = fileURLToPath(new URL('../../node_modules/eslint/bin/eslint.js', import.meta.url));

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'studio/process-boundaries')
    .map((message) => message.message);
}

describe('studio/process-boundaries', () => {
  it.each([
    [
      'engine/src/model/load.ts',
      "import { x } from '../../../renderer/src/App.js';\nexport { x };",
      /engine\/ may not import from renderer\//,
    ],
    [
      'engine/src/model/load.ts',
      "import { app } from 'electron';\nexport { app };",
      /engine\/ may not import 'electron'/,
    ],
    [
      'engine/src/cli/x.ts',
      "export * from '../../../electron/src/main.js';",
      /engine\/ may not import from electron\//,
    ],
    [
      'renderer/src/App.tsx',
      "import { readFileSync } from 'node:fs';\nexport { readFileSync };",
      /Node built-in 'node:fs'/,
    ],
    ['renderer/src/App.tsx', "import path from 'path';\nexport { path };", /Node built-in 'path'/],
    [
      'renderer/src/App.tsx',
      "import type { WebHost } from '../../engine/src/host/web-host.js';\nexport type { WebHost };",
      /renderer\/ may import from engine\/src\/api\/ only, not engine\/src\/host\/web-host\.js/,
    ],
    [
      'renderer/src/state/x.ts',
      "const m = await import('../../../engine/src/host/web-host.js');\nexport { m };",
      /renderer\/ may import from engine\/src\/api\/ only/,
    ],
    [
      'engine/src/api/x.ts',
      "import { readFileSync } from 'node:fs';\nexport { readFileSync };",
      /engine\/src\/api\/ may import only zod and other api files, not 'node:fs'/,
    ],
    [
      'engine/src/api/x.ts',
      "import type { Readable } from 'stream';\nexport type { Readable };",
      /engine\/src\/api\/ may import only zod and other api files, not 'stream'/,
    ],
    [
      'engine/src/api/x.ts',
      "import sharp from 'sharp';\nexport { sharp };",
      /engine\/src\/api\/ may import only zod and other api files, not 'sharp'/,
    ],
    [
      'engine/src/api/x.ts',
      "import type { PackageManifest } from '../model/package-manifest.js';\nexport type { PackageManifest };",
      /engine\/src\/api\/ may not import engine\/src\/model\/package-manifest\.js/,
    ],
    [
      'engine/src/api/x.ts',
      "export * from '../host/web-host.js';",
      /engine\/src\/api\/ may not import engine\/src\/host\/web-host\.js/,
    ],
    [
      'electron/src/main.ts',
      "import { startWebHost } from '../../engine/src/host/web-host.js';\nexport { startWebHost };",
      /electron\/ may import engine\/src\/api\/ only/,
    ],
  ])('rejects, in %s: %s', async (filePath, code, expected) => {
    const errors = await layeringErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  });

  it.each([
    [
      'renderer/src/App.tsx',
      "import { MAX_PROMPT_CHARS } from '../../engine/src/api/index.js';\nexport { MAX_PROMPT_CHARS };",
    ],
    [
      'renderer/src/App.tsx',
      "import type { EngineInfo } from '../../engine/src/api/index.js';\nexport type { EngineInfo };",
    ],
    [
      'renderer/src/App.tsx',
      "import { type EngineInfo } from '../../engine/src/api/index.js';\nexport type { EngineInfo };",
    ],
    [
      'electron/src/main.ts',
      "import { EngineError } from '../../engine/src/api/index.js';\nexport { EngineError };",
    ],
    [
      'electron/src/main.ts',
      "import { app } from 'electron';\nimport { join } from 'node:path';\nexport { app, join };",
    ],
    [
      'engine/src/host/x.ts',
      "import { join } from 'node:path';\nimport { EngineError } from '../api/index.js';\nexport { join, EngineError };",
    ],
    ['renderer/vite.config.ts', "import { fileURLToPath } from 'node:url';\nexport { fileURLToPath };"],
    [
      'engine/src/api/x.ts',
      "import { z } from 'zod';\nimport { ItemId } from './library.js';\nexport { z, ItemId };",
    ],
    ['engine/src/api/x.test.ts', "import { it } from 'vitest';\nexport { it };"],
  ])('allows, in %s: %s', async (filePath, code) => {
    expect(await layeringErrors(filePath, code)).toEqual([]);
  });

  it('makes the eslint CLI exit non-zero on a forbidden import', () => {
    const result = spawnSync(
      process.execPath,
      [eslintBin, '--stdin', '--stdin-filename', 'renderer/src/forbidden.ts'],
      {
        cwd: repoRoot,
        input: "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Bad layering: renderer/ may not import the Node built-in 'node:fs'");
  });
});
