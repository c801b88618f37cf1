/**
 * The repository explains itself: no file in it cites a document that lives outside it (the Emu3 brief,
 * the architecture brief, the anchor notes, anything under a sibling `shared/` folder). What the code relies
 * on is written in docs/ and cited there. Scans every tracked or new, not ignored, text file.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** This file names the patterns, so it is the one file allowed to contain them. */
const SELF = 'build/no-outside-citations.test.ts';

/** Names of documents that are not in the repository, and paths that reach out of it to them. */
const OUTSIDE_DOCUMENTS: readonly RegExp[] = [
  /emu3-reference/,
  // The repository's own page is docs/architecture.md, in lower case.
  /ARCHITECTURE\.md/,
  /\banchors-[a-z][a-z-]*/,
  // The `shared/` folder beside the repository; a folder of that name inside it (an import path) is fine.
  /\/work\/shared\b/,
  /\bshared\/(?:reference|seeds|hooks|ARCHITECTURE)\b/,
];

interface Citation {
  file: string;
  line: number;
  text: string;
}

/** Every line of `content` that cites an outside document. */
function outsideCitations(file: string, content: string): Citation[] {
  const found: Citation[] = [];
  content.split('\n').forEach((text, index) => {
    if (OUTSIDE_DOCUMENTS.some((pattern) => pattern.test(text))) {
      found.push({ file, line: index + 1, text: text.trim().slice(0, 160) });
    }
  });
  return found;
}

/** Tracked files plus new ones git does not ignore, as paths relative to the repository root. */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (git.status !== 0) throw new Error(`git ls-files failed: ${git.stderr}`);
  return [...new Set(git.stdout.split('\0').filter(Boolean))];
}

describe('citations of documents outside the repository', () => {
  it('recognises the outside documents and leaves the repository’s own docs alone', () => {
    const cited = [
      '// see emu3-reference.md §4.1',
      ' * the graph builder of ARCHITECTURE.md',
      ' * (anchors-code-style.md practice 9)',
      'For comparison (anchors-performance §2)',
      '[the architecture](../shared/ARCHITECTURE.md)',
      'the facts are in ../../shared/reference/',
      'read /work/shared/notes.md',
      'the paper (shared/seeds/000_x.txt)',
    ];
    const own = [
      '// docs/emu3-facts.md#guidance',
      '// docs/architecture.md#processes',
      "import type { Bridge } from '../shared/bridge.js';",
      "import { x } from './shared/x.js';",
      'electron/src/shared/bridge.ts',
      'anchors: the heading ids of a page',
    ];
    expect(cited.filter((line) => outsideCitations('x', line).length === 0)).toEqual([]);
    expect(own.filter((line) => outsideCitations('x', line).length > 0)).toEqual([]);
  });

  it('finds none in the repository’s source and doc files', () => {
    const files = repositoryFiles();
    expect(files).toContain('engine/src/api/index.ts');
    const citations: Citation[] = [];
    for (const file of files) {
      if (file === SELF) continue;
      const path = join(repoRoot, file);
      // Deleted in the working tree but not yet committed, or not a plain file (a symlinked folder).
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      const bytes = readFileSync(path);
      if (bytes.includes(0)) continue; // binary: weights, images, fixtures
      citations.push(...outsideCitations(file, bytes.toString('utf8')));
    }
    expect(citations.map((c) => `${c.file}:${c.line}: ${c.text}`)).toEqual([]);
  });
});
