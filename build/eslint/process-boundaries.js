// @ts-check
/**
 * ESLint rule `studio/process-boundaries`: enforces the "may import" rules of docs/architecture.md.
 *
 * - engine/   never imports electron/, renderer/ or the `electron` package;
 * - renderer/ imports no Node built-in, no `electron`, and from engine/ only engine/src/api/ (values too);
 * - electron/ imports nothing from engine/ but engine/src/api/;
 * - engine/src/api/ imports only `zod` and other api files (its tests also `vitest`), because the renderer
 *   bundles it: a Node built-in or an engine module there would pull Node into the page.
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

/** The packages engine/src/api/ may import: plain data and schemas only. */
const API_PACKAGES = new Set(['zod']);

/**
 * Why `source`, imported from a file in engine/src/api/, leaves what the renderer can bundle; null when fine.
 * @param {string} source the import string
 * @param {string} fromFile absolute path of the importing file
 * @returns {string | null}
 */
export function apiImportViolation(source, fromFile) {
  if (!source.startsWith('.') && !source.startsWith('/')) {
    if (API_PACKAGES.has(source)) return null;
    if (source === 'vitest' && /\.test\.ts$/.test(fromFile)) return null;
    return `engine/src/api/ may import only zod and other api files, not '${source}'`;
  }
  const target = repoSegments(resolve(dirname(fromFile), source));
  return isEngineApi(target) ? null : `engine/src/api/ may not import ${target.join('/') || source}`;
}

/**
 * Why `source`, imported from a file in `area`, breaks the layering; null when it is allowed.
 * @param {string} area top-level folder of the importing file
 * @param {string} source the import string
 * @param {string} fromFile absolute path of the importing file
 * @returns {string | null}
 */
export function boundaryViolation(area, source, fromFile) {
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
    if (targetArea === 'engine' && isEngineApi(target)) return null;
    return `renderer/ may import from engine/src/api/ only, not ${target.join('/')}`;
  }
  if (area === 'electron' && targetArea === 'engine' && !isEngineApi(target)) {
    return `electron/ may import engine/src/api/ only, not ${target.join('/')}`;
  }
  return null;
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
    const inApi = isEngineApi(repoSegments(context.filename));

    /** @param {any} node @param {unknown} source */
    function check(node, source) {
      if (typeof source !== 'string') return;
      const why =
        (inApi ? apiImportViolation(source, context.filename) : null) ??
        boundaryViolation(area, source, context.filename);
      if (why !== null) context.report({ node, messageId: 'forbidden', data: { why } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        const [first] = node.arguments;
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          first?.type === 'Literal'
        ) {
          check(node, first.value);
        }
      },
    };
  },
};

export default { rules: { 'process-boundaries': processBoundaries } };
