/**
 * `emu3 eval vqa`: questions about rendered scenes of the nano world, answered by the model greedily, as
 * `emu3 understand` does; an answer is right when it equals the expected one after normalising both.
 */
import { z } from 'zod';
import { CancelledError } from '../api/index.js';
import { defaultUnderstandingSampling } from '../generate/defaults.js';
import { understand } from '../generate/understand.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { forLine, framesDigest, renderForModel, type SetLine } from './eval-io.js';
import { checkScene, Scene } from '../world/scene.js';
import type { WorldSpec } from '../world/spec.js';

export const VQA_KINDS = ['color', 'count', 'shape', 'position', 'motion'] as const;
export type VqaKind = (typeof VQA_KINDS)[number];

export const VqaLine = z.object({
  scene: Scene,
  video: z.boolean(),
  question: z.string().min(1),
  answer: z.string(),
  kind: z.enum(VQA_KINDS),
});
export type VqaLine = z.infer<typeof VqaLine>;

export function checkVqaLine(spec: WorldSpec) {
  return (line: VqaLine, label: string): VqaLine => ({
    ...line,
    scene: checkScene(line.scene, spec, `${label}: scene`),
  });
}

/** Lowercase, trimmed, without final punctuation: "Red." and "red" are the same answer. */
export function normalizeAnswer(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[.!?,;:]+$/, '')
    .trim();
}

export interface VqaItem {
  label: string;
  kind: VqaKind;
  video: boolean;
  question: string;
  expected: string;
  answer: string;
  correct: boolean;
}

export interface Accuracy {
  correct: number;
  total: number;
  accuracy: number;
}

export interface VqaReport {
  questions: number;
  perKind: Partial<Record<VqaKind, Accuracy>>;
  /** Over every question (kinds weighted by how many questions they have). */
  overall: Accuracy;
  items: VqaItem[];
}

export interface VqaOptions {
  maxNewTokens: number;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
}

export async function evaluateVqa(
  model: ModelHandle,
  lines: readonly SetLine<VqaLine>[],
  spec: WorldSpec,
  options: VqaOptions,
): Promise<VqaReport> {
  const items: VqaItem[] = [];
  for (const [i, { label, value: line }] of lines.entries()) {
    if (options.signal?.aborted) throw new CancelledError();
    const frames = await renderForModel(line, spec, model.manifest);
    const { answer } = await forLine(label, () =>
      understand(
        model,
        {
          frames,
          ...(line.video ? { fps: spec.video.fps } : {}),
          question: line.question,
          maxNewTokens: options.maxNewTokens,
          sampling: defaultUnderstandingSampling(),
          source: { path: label, sha256: framesDigest(frames), frames: frames.length },
        },
        options.signal ? { signal: options.signal } : {},
      ),
    );
    const correct = normalizeAnswer(answer) === normalizeAnswer(line.answer);
    items.push({
      label,
      kind: line.kind,
      video: line.video,
      question: line.question,
      expected: line.answer,
      answer,
      correct,
    });
    options.onStep?.(i + 1, lines.length);
  }
  const perKind: VqaReport['perKind'] = {};
  for (const kind of VQA_KINDS) {
    const ofKind = items.filter((item) => item.kind === kind);
    if (ofKind.length) perKind[kind] = accuracy(ofKind);
  }
  return { questions: items.length, perKind, overall: accuracy(items), items };
}

function accuracy(items: readonly { correct: boolean }[]): Accuracy {
  const correct = items.filter((item) => item.correct).length;
  return { correct, total: items.length, accuracy: items.length ? correct / items.length : 0 };
}
