// @ts-check
/**
 * ESLint rule `studio/process-boundaries`: enforces the "may import" rules of docs/architecture.md.
 *
 * - engine/   never imports electron/, renderer/ or the `electron` package;
 * - renderer/ imports no Node built-in, no `electron`, and from engine/ only type-only imports of engine/src/api/;
 * - electron/ imports nothing from engine/ but engine/src/api/.
 * Paths are resolved against the file being linted, so `../../engine/src/model/x.js` and friends are caught
 * however they are spelled.
 */
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** @param {string} absolutePath @returns {string[]} the path's segments below the repository root */
function repoSegments(absolutePath) {
  const rel = relative(REPO_ROOT, absolutePath);
  return rel.startsWith('..') ? [] : rel.split(sep);
}

/** @param {string[]} segments */
function isEngineApi(segments) {
  return segments[0] === 'engine' && segments[1] === 'src' && segments[2] === 'api';
}

/**
 * Why `source`, imported from a file in `area`, breaks the layering; null when it is allowed.
 * @param {string} area top-level folder of the importing file
 * @param {string} source the import string
 * @param {string} fromFile absolute path of the importing file
 * @param {boolean} typeOnly whether the import carries types only
 * @returns {string | null}
 */
export function boundaryViolation(area, source, fromFile, typeOnly) {
  if (!source.startsWith('.') && !source.startsWith('/')) {
    const isElectron = source === 'electron' || source.startsWith('electron/');
    if (isElectron && (area === 'engine' || area === 'renderer')) return `${area}/ may not import 'electron'`;
    if (area === 'renderer' && NODE_BUILTINS.has(source))
      return `renderer/ may not import the Node built-in '${source}'`;
    return null;
  }
  const target = repoSegments(resolve(dirname(fromFile), source));
  const targetArea = target[0];
  if (targetArea === undefined || targetArea === area) return null;
  if (area === 'engine' && (targetArea === 'electron' || targetArea === 'renderer')) {
    return `engine/ may not import from ${targetArea}/`;
  }
  if (area === 'renderer' && (targetArea === 'electron' || targetArea === 'engine')) {
    if (targetArea === 'engine' && isEngineApi(target)) {
      return typeOnly ? null : 'renderer/ may import engine/src/api/ with `import type` only';
    }
    return `renderer/ may import only types from engine/src/api/, not ${target.join('/')}`;
  }
  if (area === 'electron' && targetArea === 'engine' && !isEngineApi(target)) {
    return `electron/ may import engine/src/api/ only, not ${target.join('/')}`;
  }
  return null;
}

/**
 * @param {any} node an ImportDeclaration or Export*Declaration
 * @returns {boolean}
 */
function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return (
    specifiers.length > 0 &&
    specifiers.every(/** @param {any} s */ (s) => s.importKind === 'type' || s.exportKind === 'type')
  );
}

/** @type {import('eslint').Rule.RuleModule} */
export const processBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each process folder to the imports docs/architecture.md allows it' },
    schema: [],
    messages: { forbidden: 'Bad layering: {{why}}.' },
  },
  create(context) {
    const [top, below] = repoSegments(context.filename);
    if (top !== 'engine' && top !== 'renderer' && top !== 'electron') return {};
    // renderer/vite.config.ts and friends are build tooling that runs in Node, not renderer code.
    if (top === 'renderer' && below !== 'src') return {};
    const area = top;

    /** @param {any} node @param {unknown} source @param {boolean} typeOnly */
    function check(node, source, typeOnly) {
      if (typeof source !== 'string') return;
      const why = boundaryViolation(area, source, context.filename, typeOnly);
      if (why !== null) context.report({ node, messageId: 'forbidden', data: { why } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source.value, isTypeOnly(node)),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
      CallExpression: (node) => {
        const [first] = node.arguments;
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          first?.type === 'Literal'
        ) {
          check(node, first.value, false);
        }
      },
    };
  },
};

export default { rules: { 'process-boundaries': processBoundaries } };
