/**
 * The engine's floors rule under ESLint's RuleTester: an upward import and a sideways one between siblings fail,
 * a downward one and an import inside one folder pass, and tests get the relaxation the rule documents.
 */
import { RuleTester } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { ENGINE_FLOORS, engineFloors } from './engine-floors.js';

// RuleTester declares its cases with whatever describe/it it is given; these make them vitest tests.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const at = (path: string): string => `${repoRoot}${path}`;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

tester.run('studio/engine-floors', engineFloors, {
  valid: [
    // Downward: generate sits above runtime, model and api.
    {
      filename: at('engine/src/generate/x.ts'),
      code: "import { openModel } from '../runtime/open-model.js';",
    },
    {
      filename: at('engine/src/generate/x.ts'),
      code: "import type { ModelConfig } from '../model/model-config.js';",
    },
    { filename: at('engine/src/world/x.ts'), code: "import { EngineError } from '../api/index.js';" },
    { filename: at('engine/src/cli/x.ts'), code: "import { startWebHost } from '../host/web-host.js';" },
    // Inside one folder, subfolders included.
    {
      filename: at('engine/src/model/onnx/x.ts'),
      code: "import { readManifest } from '../package-manifest.js';",
    },
    // Packages and files outside engine/src are another rule's business.
    { filename: at('engine/src/media/x.ts'), code: "import sharp from 'sharp';" },
    { filename: at('build/x.ts'), code: "import { x } from '../engine/src/app/engine-service.js';" },
    // Tests may reach any floor: a graph builder's test runs its graph in ONNX Runtime.
    {
      filename: at('engine/src/model/x.test.ts'),
      code: "import { openModel } from '../runtime/open-model.js';",
    },
    { filename: at('engine/src/world/x.testkit.ts'), code: "import { Rng } from '../generate/rng.js';" },
    {
      filename: at('engine/src/eval/x.test.ts'),
      code: "import { evalCommand } from '../cli/eval-command.js';",
    },
  ],
  invalid: [
    // Upward.
    {
      filename: at('engine/src/model/import-model.ts'),
      code: "import { modelsDir } from '../../src/app/default-model.js';",
      errors: [{ message: /model\/ may not import from app\/, a higher floor/ }],
    },
    {
      filename: at('engine/src/generate/record.ts'),
      code: "import { studioVersion } from '../host/web-host.js';",
      errors: [{ message: /generate\/ may not import from host\/, a higher floor/ }],
    },
    {
      filename: at('engine/src/api/x.ts'),
      code: "export * from '../media/images.js';",
      errors: [{ message: /api\/ may not import from media\//, type: 'ExportAllDeclaration' }],
    },
    {
      filename: at('engine/src/runtime/x.ts'),
      code: "const m = await import('../generate/vision.js');\nexport { m };",
      errors: [{ message: /runtime\/ may not import from generate\//, type: 'ImportExpression' }],
    },
    // Type-only imports count too: a type is a dependency on what the other floor means.
    {
      filename: at('engine/src/media/images.ts'),
      code: "import type { RgbFrame } from '../runtime/vq-runner.js';",
      errors: [{ message: /media\/ may not import from runtime\//, type: 'ImportDeclaration' }],
    },
    // Sideways, between siblings on one floor.
    {
      filename: at('engine/src/media/x.ts'),
      code: "import { modelsDir } from '../library/paths.js';",
      errors: [{ message: /media\/ may not import from library\/: siblings on one floor/ }],
    },
    {
      filename: at('engine/src/eval/x.ts'),
      code: "export { timeIt } from '../bench/bench-measure.js';",
      errors: [{ message: /eval\/ may not import from bench\/: siblings on one floor/ }],
    },
    // Shipped code may not lean on a test kit (which may itself reach any floor).
    {
      filename: at('engine/src/app/x.ts'),
      code: "import { startEngine } from './engine.testkit.js';",
      errors: [{ message: /app\/ is shipped code and may not import a test file/ }],
    },
    // A folder that is not in the order is refused until someone gives it a floor.
    {
      filename: at('engine/src/train/x.ts'),
      code: "import { EngineError } from '../api/index.js';",
      errors: [{ message: /engine\/src\/train has no floor/ }],
    },
  ],
});

describe('ENGINE_FLOORS', () => {
  it('names each folder once, with api alone at the bottom and cli alone at the top', () => {
    const folders = ENGINE_FLOORS.flat();
    expect(new Set(folders).size).toBe(folders.length);
    expect(ENGINE_FLOORS[0]).toEqual(['api']);
    expect(ENGINE_FLOORS.at(-1)).toEqual(['cli']);
  });
});
