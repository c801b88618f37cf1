/** The visual tokens `<|visual token NNNNNN|>`: code ↔ id, always read from the tokenizer files. */
import { EngineError } from '../api/index.js';

const VISUAL_TOKEN = /^<\|visual token (\d{6,})\|>$/;

/** The token string of VQ code `code`, e.g. `<|visual token 000123|>`. */
export function visualTokenString(code: number): string {
  return `<|visual token ${String(code).padStart(6, '0')}|>`;
}

/** The code a visual-token string names, undefined for any other string (or a non-canonical spelling). */
export function parseVisualToken(token: string): number | undefined {
  const m = VISUAL_TOKEN.exec(token);
  if (m === null) return undefined;
  const code = Number(m[1]);
  return visualTokenString(code) === token ? code : undefined;
}

/** The code ↔ id mapping; codes must be exactly 0..n-1. */
export class VisualTokens {
  private readonly ids: readonly number[];
  private readonly codes: ReadonlyMap<number, number>;

  /** `tokens`: every (string, id) pair of the vocabulary; the visual ones are picked out. */
  constructor(tokens: Iterable<readonly [string, number]>, file: string) {
    const byCode = new Map<number, number>();
    for (const [token, id] of tokens) {
      const code = parseVisualToken(token);
      if (code === undefined) continue;
      const seen = byCode.get(code);
      if (seen !== undefined && seen !== id) {
        throw new EngineError('invalid_file', `${file}: ${token} has two ids (${seen} and ${id})`);
      }
      byCode.set(code, id);
    }
    const ids: number[] = [];
    for (let code = 0; code < byCode.size; code++) {
      const id = byCode.get(code);
      if (id === undefined) {
        throw new EngineError(
          'invalid_file',
          `${file}: visual tokens are not codes 0..${byCode.size - 1}: ${visualTokenString(code)} is missing`,
        );
      }
      ids.push(id);
    }
    this.ids = ids;
    this.codes = new Map(ids.map((id, code) => [id, code]));
    if (this.codes.size !== ids.length) {
      throw new EngineError('invalid_file', `${file}: two visual tokens share one id`);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  idOf(code: number): number {
    const id = Number.isInteger(code) ? this.ids[code] : undefined;
    if (id === undefined) {
      throw new RangeError(`visual code ${code} is outside the codebook 0..${this.ids.length - 1}`);
    }
    return id;
  }

  codeOf(id: number): number | undefined {
    return this.codes.get(id);
  }

  /** Pairs (string, id) in code order, for comparing two sources. */
  entries(): [string, number][] {
    return this.ids.map((id, code) => [visualTokenString(code), id]);
  }
}
