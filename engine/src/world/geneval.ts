/**
 * GenEval-style scoring of generated pictures of the nano world (Ghosh et al. 2023, "GenEval: An
 * Object-Focused Framework for Evaluating Text-to-Image Alignment"): each prompt line lists the objects that
 * must be there (class, count, optional colour, optional position relative to an earlier entry) and those
 * that must not; the detector's objects either satisfy all of it or the picture fails.
 *
 * Where GenEval picks "the first `count` detections by confidence", this picks the largest objects of the
 * class with the asked colour: the world's detector has exact colours and no confidence.
 */
import { z } from 'zod';
import { EngineError } from '../api/index.js';
import type { DetectedObject } from './detect.js';
import { relationMarginPx, ShapeClass, type Relation, type WorldSpec } from './spec.js';

export const GENEVAL_TAGS = [
  'single_object',
  'two_object',
  'counting',
  'colors',
  'position',
  'color_attr',
] as const;
export type GenevalTag = (typeof GENEVAL_TAGS)[number];

const RelationWord = z.enum(['left of', 'right of', 'above', 'below']);

const IncludeEntry = z.object({
  class: ShapeClass,
  count: z.number().int().positive(),
  color: z.string().optional(),
  /** [relation, index of an earlier include entry]: this entry's objects stand in that relation to its. */
  position: z.tuple([RelationWord, z.number().int().nonnegative()]).optional(),
});
export type IncludeEntry = z.infer<typeof IncludeEntry>;

const ExcludeEntry = z.object({ class: ShapeClass, count: z.number().int().positive() });

export const GenevalPrompt = z.object({
  tag: z.enum(GENEVAL_TAGS),
  include: z.array(IncludeEntry).min(1),
  exclude: z.array(ExcludeEntry).optional(),
  prompt: z.string().min(1),
});
export type GenevalPrompt = z.infer<typeof GenevalPrompt>;

/** Throws one line naming `label` where the prompt names what world.json lacks or points forward. */
export function checkPrompt(prompt: GenevalPrompt, spec: WorldSpec, label: string): GenevalPrompt {
  prompt.include.forEach((entry, i) => {
    if (entry.color !== undefined && !(entry.color in spec.colors))
      throw new EngineError(
        'invalid_file',
        `${label}: include.${i}: unknown colour ${JSON.stringify(entry.color)}`,
      );
    if (entry.position && entry.position[1] >= i)
      throw new EngineError(
        'invalid_file',
        `${label}: include.${i}: position refers to entry ${entry.position[1]}, which is not an earlier one`,
      );
  });
  return prompt;
}

/** Whether A stands in `relation` to B (WORLD.md "Words": centres, margin relationMargin·size). */
export function relationHolds(
  a: { cx: number; cy: number },
  b: { cx: number; cy: number },
  relation: Relation,
  margin: number,
): boolean {
  switch (relation) {
    case 'left of':
      return a.cx + margin < b.cx;
    case 'right of':
      return a.cx > b.cx + margin;
    case 'above':
      return a.cy + margin < b.cy;
    case 'below':
      return a.cy > b.cy + margin;
  }
}

export interface Verdict {
  correct: boolean;
  /** Why it failed, one entry per unmet requirement. */
  reasons: string[];
}

/** Scores one picture's detections against one prompt line, as GenEval's `evaluate` does. */
export function scoreDetections(
  prompt: GenevalPrompt,
  objects: readonly DetectedObject[],
  spec: WorldSpec,
): Verdict {
  const reasons: string[] = [];
  const margin = relationMarginPx(spec);
  const ofClass = (shape: ShapeClass) => objects.filter((o) => o.class === shape); // largest first, as detected
  const matched: (DetectedObject[] | null)[] = [];
  for (const entry of prompt.include) {
    const candidates = ofClass(entry.class).filter(
      (o) => entry.color === undefined || o.color === entry.color,
    );
    const wanted = `${entry.color ? `${entry.color} ` : ''}${entry.class}`;
    if (candidates.length < entry.count) {
      reasons.push(`expected ${wanted} >= ${entry.count}, found ${candidates.length}`);
      matched.push(null);
      continue;
    }
    const found = candidates.slice(0, entry.count);
    let ok = true;
    if (entry.position) {
      const [relation, index] = entry.position;
      const targets = matched[index];
      if (!targets) {
        reasons.push(`no target for ${wanted} to be ${relation}`);
        ok = false;
      } else if (!found.every((a) => targets.every((b) => relationHolds(a, b, relation, margin)))) {
        reasons.push(`expected ${wanted} ${relation} ${prompt.include[index]!.class}`);
        ok = false;
      }
    }
    matched.push(ok ? found : null);
  }
  for (const entry of excludeEntries(prompt)) {
    const present = ofClass(entry.class).length;
    if (present >= entry.count) reasons.push(`expected ${entry.class} < ${entry.count}, found ${present}`);
  }
  return { correct: reasons.length === 0, reasons };
}

/** The prompt's exclusions; a counting prompt asks for exactly its count, as GenEval writes with count + 1. */
function excludeEntries(prompt: GenevalPrompt): { class: ShapeClass; count: number }[] {
  const given = prompt.exclude ?? [];
  if (prompt.tag !== 'counting') return given;
  const implied = prompt.include
    .filter((entry) => !given.some((e) => e.class === entry.class))
    .map((entry) => ({ class: entry.class, count: entry.count + 1 }));
  return [...given, ...implied];
}

export interface TagScore {
  correct: number;
  total: number;
  accuracy: number;
}

export interface GenevalSummary {
  perTag: Partial<Record<GenevalTag, TagScore>>;
  /** GenEval's overall score: the mean of the per-tag accuracies (tags with no pictures left out). */
  overall: number;
}

export function summarize(results: readonly { tag: GenevalTag; correct: boolean }[]): GenevalSummary {
  const perTag: Partial<Record<GenevalTag, TagScore>> = {};
  for (const tag of GENEVAL_TAGS) {
    const ofTag = results.filter((r) => r.tag === tag);
    if (ofTag.length === 0) continue;
    const correct = ofTag.filter((r) => r.correct).length;
    perTag[tag] = { correct, total: ofTag.length, accuracy: correct / ofTag.length };
  }
  const accuracies = Object.values(perTag).map((s) => s.accuracy);
  const overall = accuracies.length ? accuracies.reduce((a, b) => a + b, 0) / accuracies.length : 0;
  return { perTag, overall };
}
