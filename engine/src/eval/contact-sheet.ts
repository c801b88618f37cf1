/**
 * Contact sheets, for people rather than scores: generated pictures in a grid with a caption under each, and
 * videos as rows of frames with a label over each row. Drawn with sharp (captions through its text renderer,
 * which wraps words), written as palette PNGs so that a sheet of 64 pictures stays small enough to commit.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { RgbFrame } from '../api/index.js';
import { frameImage } from '../media/images.js';

export interface SheetPicture {
  frame: RgbFrame;
  caption: string;
  /** The detector's verdict, drawn as a green or red bar between picture and caption; no bar when unjudged. */
  correct?: boolean;
}

export interface StripRow {
  label: string;
  frames: readonly RgbFrame[];
  /** Where the model's own frames begin (an extension's context comes before): a marked gap there. */
  split?: number;
}

/** Pixels between tiles and around the sheet. */
const GAP = 6;
/** The verdict bar's height. */
const BAR = 4;
const FONT = 'sans 10';
const INK = '#202020';
const PAPER = '#ffffff';
const RIGHT = '#2f9e44';
const WRONG = '#d9480f';
const SPLIT = '#868e96';

/** Pictures in rows of `columns` tiles of `tile` pixels, each with its caption wrapped under it. */
export async function pictureSheet(
  pictures: readonly SheetPicture[],
  layout: { columns: number; tile: number },
): Promise<Buffer> {
  if (pictures.length === 0) throw new Error('a contact sheet needs at least one picture');
  const { columns, tile } = layout;
  const captions = await Promise.all(pictures.map((p) => textImage(p.caption, tile)));
  const captionHeight = Math.max(...captions.map((c) => c?.height ?? 0));
  const cellHeight = tile + BAR + 2 + captionHeight;
  const rows = Math.ceil(pictures.length / columns);
  const width = GAP + columns * (tile + GAP);
  const height = GAP + rows * (cellHeight + GAP);
  const overlays: OverlayOptions[] = [];
  for (const [i, picture] of pictures.entries()) {
    const left = GAP + (i % columns) * (tile + GAP);
    const top = GAP + Math.floor(i / columns) * (cellHeight + GAP);
    overlays.push({ ...(await tileOverlay(picture.frame, tile)), left, top });
    if (picture.correct !== undefined)
      overlays.push({ input: block(tile, BAR, picture.correct ? RIGHT : WRONG), left, top: top + tile + 1 });
    const caption = captions[i];
    if (caption) overlays.push({ input: caption.png, left, top: top + tile + BAR + 2 });
  }
  return draw(width, height, overlays);
}

/**
 * Videos one row each: every `every`-th frame as a tile, the row's label over it; a row with a `split` gets a
 * wider gap with a grey rule before its first frame from the model.
 */
export async function videoStrip(
  rows: readonly StripRow[],
  layout: { tile: number; every: number },
): Promise<Buffer> {
  if (rows.length === 0) throw new Error('a video strip needs at least one video');
  const { tile, every } = layout;
  const shown = rows.map((row) => {
    const kept = row.frames.flatMap((frame, i) => (i % every === 0 ? [{ frame, i }] : []));
    return kept.map(({ frame, i }) => ({ frame, afterSplit: row.split !== undefined && i >= row.split }));
  });
  const splitGap = 3 * GAP;
  const rowWidth = (row: (typeof shown)[number]) =>
    row.length * (tile + GAP) + (row.some((t) => t.afterSplit) && !row[0]!.afterSplit ? splitGap : 0);
  const width = GAP + Math.max(...shown.map(rowWidth));
  const labels = await Promise.all(rows.map((row) => textImage(row.label, width - 2 * GAP)));
  const overlays: OverlayOptions[] = [];
  let top = GAP;
  for (const [r, row] of shown.entries()) {
    const label = labels[r];
    if (label) overlays.push({ input: label.png, left: GAP, top });
    top += (label?.height ?? 0) + 2;
    let left = GAP;
    for (const [k, { frame, afterSplit }] of row.entries()) {
      if (afterSplit && k > 0 && !row[k - 1]!.afterSplit) {
        overlays.push({ input: block(2, tile, SPLIT), left: left + splitGap / 2 - 1, top });
        left += splitGap;
      }
      overlays.push({ ...(await tileOverlay(frame, tile)), left, top });
      left += tile + GAP;
    }
    top += tile + 2 * GAP;
  }
  return draw(width, top - GAP, overlays);
}

/** The frame at `tile` pixels square, as a raw overlay (bicubic, as the evaluations resize). */
async function tileOverlay(frame: RgbFrame, tile: number): Promise<OverlayOptions> {
  const raw = { width: tile, height: tile, channels: 3 as const };
  if (frame.width === tile && frame.height === tile)
    return { input: Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), raw };
  const data = await frameImage(frame).resize(tile, tile, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  return { input: data, raw };
}

function block(width: number, height: number, colour: string): OverlayOptions['input'] {
  return { create: { width, height, channels: 3, background: colour } };
}

/** Text wrapped at word boundaries to `width` pixels, dark on transparent; undefined for an empty text. */
async function textImage(text: string, width: number): Promise<{ png: Buffer; height: number } | undefined> {
  if (text.trim() === '') return undefined;
  const { data, info } = await sharp({
    text: {
      text: `<span foreground="${INK}">${escapeMarkup(text)}</span>`,
      font: FONT,
      width,
      wrap: 'word',
      rgba: true,
      dpi: 72,
    },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, height: info.height };
}

/** Pango markup reads `&`, `<` and `>` as its own: a prompt is text, never markup. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The overlays on white paper as a 256-colour PNG: the pictures are flat shapes on gradients, so little is lost. */
function draw(width: number, height: number, overlays: OverlayOptions[]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: PAPER } })
    .composite(overlays)
    .png({ palette: true, colours: 256, compressionLevel: 9, effort: 10 })
    .toBuffer();
}
