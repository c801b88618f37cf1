// @ts-check
/**
 * ESLint rule `studio/engine-floors`: inside engine/src, a file imports only from its own folder or from folders
 * on floors below it (docs/architecture.md explains the order). Siblings on one floor do not import each other,
 * so each floor can be read, tested and changed knowing only the floors beneath it.
 *
 * Tests (`*.test.ts`, `*.testkit.ts`, `testkit.ts`) may import from any floor: they drive real parts end to end
 * (a graph builder's test runs its graph in ONNX Runtime, a library test writes a real PNG record), and nothing
 * the engine ships depends on them. To keep that relaxation from leaking, a non-test file may not import a test.
 */
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The one order of the engine's floors, bottom to top; each entry lists the folders of engine/src on it. */
export const ENGINE_FLOORS = [
  ['api'],
  ['install'],
  ['tokenizer', 'media', 'library', 'world'],
  ['model'],
  ['runtime'],
  ['generate'],
  ['app'],
  ['host', 'eval', 'bench'],
  ['cli'],
];

/** @type {Map<string, number>} folder of engine/src → its floor, 0 at the bottom */
const FLOOR_OF = new Map(ENGINE_FLOORS.flatMap((folders, floor) => folders.map((f) => [f, floor])));

/** @param {string} file @returns {boolean} whether `file` is a test or a test kit */
export function isTestFile(file) {
  return /(?:^|\.)(?:test|testkit)\.[cm]?[jt]sx?$/.test(basename(file));
}

/**
 * @param {string} absolutePath
 * @returns {string | null} the folder of engine/src that holds `absolutePath` (a file directly in engine/src
 * gives its own name), or null when the path is outside engine/src
 */
function engineFolder(absolutePath) {
  const rel = relative(REPO_ROOT, absolutePath);
  if (rel.startsWith('..')) return null;
  const [top, src, folder] = rel.split(sep);
  return top === 'engine' && src === 'src' && folder !== undefined ? folder : null;
}

/**
 * Why importing `source` from `fromFile` breaks the engine's floors; null when it is allowed.
 * @param {string} source the import string
 * @param {string} fromFile absolute path of the importing file
 * @returns {string | null}
 */
export function floorViolation(source, fromFile) {
  if (!source.startsWith('.')) return null;
  const from = engineFolder(fromFile);
  const targetPath = resolve(dirname(fromFile), source);
  const target = engineFolder(targetPath);
  if (from === null || target === null) return null;
  const fromFloor = FLOOR_OF.get(from);
  const targetFloor = FLOOR_OF.get(target);
  if (fromFloor === undefined) return `engine/src/${from} has no floor: add it to ENGINE_FLOORS`;
  if (targetFloor === undefined) return `engine/src/${target} has no floor: add it to ENGINE_FLOORS`;
  const fromTest = isTestFile(fromFile);
  if (!fromTest && isTestFile(targetPath)) return `${from}/ is shipped code and may not import a test file`;
  if (from === target || fromTest) return null;
  if (targetFloor === fromFloor) {
    return `${from}/ may not import from ${target}/: siblings on one floor (${ENGINE_FLOORS[fromFloor]?.join(', ')}) stay apart`;
  }
  if (targetFloor > fromFloor) return `${from}/ may not import from ${target}/, a higher floor`;
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const engineFloors = {
  meta: {
    type: 'problem',
    docs: { description: 'Inside engine/src, import only from your own folder or from lower floors' },
    schema: [],
    messages: { upward: 'Engine floors: {{why}} (order: build/eslint/engine-floors.js).' },
  },
  create(context) {
    if (engineFolder(context.filename) === null) return {};

    /** @param {any} node @param {unknown} source */
    function check(node, source) {
      if (typeof source !== 'string') return;
      const why = floorViolation(source, context.filename);
      if (why !== null) context.report({ node, messageId: 'upward', data: { why } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { 'engine-floors': engineFloors } };
