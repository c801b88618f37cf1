/**
 * PNGs that carry their result record: the JSON travels in a compressed iTXt chunk with the keyword
 * 'emu3-studio', so a PNG dropped back into the studio restores its parameters and tokens.
 * iTXt rather than zTXt because zTXt text is Latin-1 and the record is UTF-8 JSON; both are read.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { EngineError, type RgbFrame } from '../api/index.js';
import { pngBytes } from './images.js';

export const RECORD_KEYWORD = 'emu3-studio';
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Asynchronous: a large record would otherwise stall the engine's event loop.
const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);
/** Records inflate to at most this: a guard against a crafted chunk that expands without end. */
const MAX_RECORD_BYTES = 512 * 1024 * 1024;

/** Encodes `frame` as PNG with `record` as JSON in an 'emu3-studio' iTXt chunk; atomic (temp file + rename). */
export async function writePngWithRecord(path: string, frame: RgbFrame, record: unknown): Promise<void> {
  let json: string | undefined;
  try {
    json = JSON.stringify(record);
  } catch (error) {
    throw new EngineError('bad_request', `${path}: the record is not JSON (${(error as Error).message})`);
  }
  if (json === undefined) throw new EngineError('bad_request', `${path}: the record is not JSON`);
  const png = await pngBytes(frame);
  // iTXt: keyword NUL, compression flag 1, method 0 (zlib), empty language tag NUL, empty translated keyword NUL.
  const header = Buffer.concat([Buffer.from(RECORD_KEYWORD, 'latin1'), Buffer.from([0, 1, 0, 0, 0])]);
  const chunk = makeChunk('iTXt', Buffer.concat([header, await deflate(Buffer.from(json, 'utf8'))]));
  const iend = chunks(png, path).find((c) => c.type === 'IEND')!;
  const out = Buffer.concat([png.subarray(0, iend.start), chunk, png.subarray(iend.start)]);

  const partial = `${path}.partial-${process.pid}`;
  try {
    await writeFile(partial, out);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** The record of a PNG written by `writePngWithRecord`; null when it has none; invalid_file when damaged. */
export async function readPngRecord(path: string): Promise<unknown | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'invalid_file';
    throw new EngineError(code, `${path}: cannot read (${(error as Error).message.split('\n')[0]})`);
  }
  for (const chunk of chunks(bytes, path)) {
    if (chunk.type !== 'iTXt' && chunk.type !== 'zTXt' && chunk.type !== 'tEXt') continue;
    const text = await textChunk(chunk.type, chunk.data, path);
    if (text === null) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new EngineError(
        'invalid_file',
        `${path}: damaged ${RECORD_KEYWORD} record (${(error as Error).message})`,
      );
    }
  }
  return null;
}

interface Chunk {
  type: string;
  data: Buffer;
  /** Offset of the chunk's length field. */
  start: number;
}

/** Walks the chunks up to IEND, checking the signature, every length and every CRC. */
function chunks(bytes: Buffer, path: string): Chunk[] {
  const damaged = (why: string): EngineError =>
    new EngineError('invalid_file', `${path}: damaged PNG (${why})`);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE))
    throw new EngineError('invalid_file', `${path}: not a PNG file`);
  const found: Chunk[] = [];
  for (let offset = 8; ;) {
    if (offset + 12 > bytes.length) throw damaged('truncated before IEND');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw damaged(`bad chunk type at byte ${offset}`);
    if (length > 0x7fffffff || offset + 12 + length > bytes.length)
      throw damaged(`${type} chunk runs past the end`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length))
      throw damaged(`CRC mismatch in the ${type} chunk at byte ${offset}`);
    found.push({ type, data, start: offset });
    if (type === 'IEND') return found;
    offset += 12 + length;
  }
}

/** The text of a tEXt/zTXt/iTXt chunk whose keyword is ours; null for other keywords. */
async function textChunk(type: string, data: Buffer, path: string): Promise<string | null> {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 0 || data.toString('latin1', 0, keywordEnd) !== RECORD_KEYWORD) return null;
  const damaged = (why: string): EngineError =>
    new EngineError('invalid_file', `${path}: damaged ${RECORD_KEYWORD} ${type} chunk (${why})`);
  let compressed: boolean;
  let body: Buffer;
  if (type === 'tEXt') [compressed, body] = [false, data.subarray(keywordEnd + 1)];
  else if (type === 'zTXt') [compressed, body] = [true, data.subarray(keywordEnd + 2)];
  else {
    const flag = data[keywordEnd + 1];
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) throw damaged('missing language or translated keyword');
    [compressed, body] = [flag === 1, data.subarray(translatedEnd + 1)];
  }
  if (!compressed) return body.toString(type === 'iTXt' ? 'utf8' : 'latin1');
  try {
    return (await inflate(body, { maxOutputLength: MAX_RECORD_BYTES })).toString('utf8');
  } catch (error) {
    throw damaged((error as Error).message);
  }
}

function makeChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

// zlib.crc32 arrived in Node 20.15; package.json asks for 20.19, but the table keeps an older runtime working.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
let table: Uint32Array | undefined;

/** CRC-32 as PNG uses it (ISO 3309, the same as zlib's). */
export function crc32(data: Uint8Array): number {
  return nativeCrc32 ? nativeCrc32(data) >>> 0 : tableCrc32(data);
}

export function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
