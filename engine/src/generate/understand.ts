/**
 * Understanding: an image or a video and a question in, an answer streamed out (docs/token-format.md#prompts,
 * docs/emu3-facts.md#sampling-defaults): greedy by default, no guidance, stopping at EOS or at the token
 * limit.
 */
import { EngineError, type GenerationRecord, type SamplingParams, type RgbFrame } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { encodeFrames } from '../runtime/vq-runner.js';
import { decodeTokens, type DecodeStats } from './decode-loop.js';
import { understandingPrompt, visionBlock } from './format.js';
import { processorsFor } from './processors-for.js';
import { createProgressMeter, type GenerationProgress } from './progress.js';
import { makeRecord } from './record.js';
import { randomSeed, Rng } from './rng.js';

export interface UnderstandRequest {
  /** One frame for an image; a multiple of the temporal factor for a video. Already at the model's size. */
  frames: RgbFrame[];
  fps?: number;
  question: string;
  maxNewTokens: number;
  sampling: SamplingParams;
  seed?: number;
  source: NonNullable<GenerationRecord['source']>;
}

export interface UnderstandEvents {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** The answer's new text since the last call. */
  onText?: (delta: string) => void;
}

export async function understand(
  model: ModelHandle,
  request: UnderstandRequest,
  events: UnderstandEvents = {},
): Promise<{ answer: string; record: GenerationRecord; stats: DecodeStats }> {
  const { manifest } = model;
  const tokenizer = await model.tokenizer();
  const codes = await encodeFrames(model, request.frames);
  const video = request.frames.length > 1;
  const block = visionBlock(
    tokenizer,
    manifest.special,
    manifest.visualTokens,
    codes,
    video ? (request.fps ?? 8) : undefined,
  );
  const prompt = understandingPrompt(tokenizer, manifest.special, block, request.question);
  // The answer gets what the model's positions leave after the picture and the question.
  const room = manifest.decoder.maxPositionEmbeddings - prompt.length;
  if (room < 1) {
    throw new EngineError(
      'bad_request',
      `the ${video ? 'video' : 'image'} and the question take ${prompt.length} tokens: the model's ${manifest.decoder.maxPositionEmbeddings} positions leave no room for an answer`,
    );
  }
  const maxNewTokens = Math.min(request.maxNewTokens, room);

  const { list } = processorsFor(manifest, request.sampling);
  const seed = request.seed ?? randomSeed();
  const meter = createProgressMeter(maxNewTokens);
  let shown = '';
  const soFar: number[] = [];
  const { provider } = await model.session('decoder');
  const { tokens, stats } = await decodeTokens(model, {
    rows: [prompt],
    guidance: 1,
    processors: list,
    rng: request.sampling.greedy ? null : new Rng(seed),
    maxNewTokens,
    stopToken: manifest.special.eos,
    ...(events.signal ? { signal: events.signal } : {}),
    onToken: (token, done) => {
      soFar.push(token);
      events.onProgress?.(meter(done));
      if (!events.onText) return;
      // Decoding the whole answer each time keeps multi-byte characters split across tokens intact.
      const text = tokenizer.decode(soFar, { skipSpecialTokens: true });
      if (text.length > shown.length && !text.endsWith('\uFFFD')) {
        events.onText(text.slice(shown.length));
        shown = text;
      }
    },
  });
  const answer = tokenizer.decode(tokens, { skipSpecialTokens: true }).trim();
  const record = makeRecord({
    mode: 'understand',
    model: { id: manifest.id, precision: manifest.precision },
    prompt: request.question,
    negativePrompt: '',
    grid: {
      height: codes.height,
      width: codes.width,
      frames: codes.frames,
      ...(video ? { fps: request.fps ?? 8 } : {}),
    },
    sampling: request.sampling,
    maxNewTokens,
    seed,
    provider,
    tokens: { prompt, output: tokens },
    source: request.source,
  });
  return { answer, record, stats };
}
