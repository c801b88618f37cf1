/**
 * The contact sheets drawn from real renders of the nano world: their size follows the layout, captions and
 * labels are drawn where they belong (and nowhere for an empty one), the verdict bars have their colours, and
 * a prompt with markup characters is drawn as text.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbFrame } from '../api/index.js';
import { renderFrame, renderVideo } from '../world/render.js';
import { Scene } from '../world/scene.js';
import { loadWorldSpec } from '../world/spec.js';
import { escapeMarkup, pictureSheet, videoStrip } from './contact-sheet.js';

const spec = loadWorldSpec();
const scene = (color: string, motion?: object): Scene =>
  Scene.parse({
    background: { kind: 'gradient', family: 'sand', angle: 0.4 },
    objects: [{ class: 'heart', color, cx: 64, cy: 64, r: 25.6, ...(motion ? { motion } : {}) }],
  });
const GAP = 6;
const BAR = 4;

async function pixels(png: Buffer): Promise<RgbFrame> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** How many pixels of a rectangle are darker than mid grey (text is dark on white paper). */
function darkPixels(image: RgbFrame, left: number, top: number, width: number, height: number): number {
  let dark = 0;
  for (let y = top; y < top + height; y++)
    for (let x = left; x < left + width; x++) {
      const i = (y * image.width + x) * 3;
      if (image.data[i]! + image.data[i + 1]! + image.data[i + 2]! < 3 * 128) dark++;
    }
  return dark;
}

function rgb(image: RgbFrame, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
}

describe('pictureSheet', () => {
  it('lays pictures out in rows with their captions and verdict bars under them', async () => {
    const tile = 64;
    const png = await pictureSheet(
      [
        { frame: renderFrame(scene('red'), 0, spec), caption: 'a photo of a red heart', correct: true },
        { frame: renderFrame(scene('blue'), 0, spec), caption: 'a <b>blue</b> heart & more', correct: false },
        { frame: renderFrame(scene('green'), 0, spec), caption: '' },
      ],
      { columns: 2, tile },
    );
    expect((await sharp(png).metadata()).format).toBe('png');
    const sheet = await pixels(png);
    expect(sheet.width).toBe(GAP + 2 * (tile + GAP));
    const cellHeight = (sheet.height - GAP) / 2 - GAP; // two rows
    expect(Number.isInteger(cellHeight)).toBe(true);
    const captionHeight = cellHeight - tile - BAR - 2;
    expect(captionHeight).toBeGreaterThanOrEqual(10); // a line of text at least
    const captionTop = GAP + tile + BAR + 2;
    const secondColumn = GAP + tile + GAP;
    const secondRow = GAP + cellHeight + GAP;
    // Text under the two captioned pictures; the empty caption leaves white paper.
    expect(darkPixels(sheet, GAP, captionTop, tile, captionHeight)).toBeGreaterThan(20);
    expect(darkPixels(sheet, secondColumn, captionTop, tile, captionHeight)).toBeGreaterThan(20);
    expect(darkPixels(sheet, GAP, secondRow + tile + BAR + 2, tile, captionHeight)).toBe(0);
    // The picture itself: the red heart's centre.
    const [r, g, b] = rgb(sheet, GAP + tile / 2, GAP + tile / 2);
    expect(r).toBeGreaterThan(150);
    expect(g! + b!).toBeLessThan(r!);
    // Green bar for right, red for wrong, none when unjudged.
    const [rr, rg] = rgb(sheet, GAP + 10, GAP + tile + 2);
    expect(rg).toBeGreaterThan(rr!);
    const [wr, wg] = rgb(sheet, secondColumn + 10, GAP + tile + 2);
    expect(wr).toBeGreaterThan(wg!);
    expect(rgb(sheet, GAP + 10, secondRow + tile + 2)).toEqual([255, 255, 255]);
  });

  it('resizes pictures of another size to the tile', async () => {
    const png = await pictureSheet([{ frame: renderFrame(scene('red'), 0, spec), caption: 'x' }], {
      columns: 4,
      tile: 32,
    });
    expect((await sharp(png).metadata()).width).toBe(GAP + 4 * (32 + GAP));
  });

  it('escapes markup, so that a prompt is always text', () => {
    expect(escapeMarkup('a <b>red</b> & blue')).toBe('a &lt;b&gt;red&lt;/b&gt; &amp; blue');
  });
});

describe('videoStrip', () => {
  it('shows every second frame a row, with a rule before the model’s frames of an extension', async () => {
    const tile = 48;
    const video = renderVideo(scene('red', { kind: 'left', vx: -2.5, vy: 0 }), spec, 8);
    const png = await videoStrip(
      [
        // Labels of the same ink height (captions are cropped to their ink), so that both rows are as high.
        { label: 'Generated, going left', frames: video },
        { label: 'Extended, going left', frames: video, split: 4 },
      ],
      { tile, every: 2 },
    );
    const strip = await pixels(png);
    const splitGap = 3 * GAP;
    expect(strip.width).toBe(GAP + 4 * (tile + GAP) + splitGap); // 4 of 8 frames, and the extension's rule
    const rowHeight = strip.height / 2; // label, frames and the gaps: the margins add up to one gap a row
    const labelHeight = rowHeight - tile - 2 * GAP - 2;
    expect(labelHeight).toBeGreaterThanOrEqual(10);
    expect(darkPixels(strip, GAP, GAP, strip.width - 2 * GAP, labelHeight)).toBeGreaterThan(20);
    // The rule sits in the gap after the second tile of the second row; the first row has none there.
    const ruleX = GAP + 2 * (tile + GAP) + splitGap / 2 - 1;
    const firstFramesTop = GAP + labelHeight + 2;
    const secondFramesTop = firstFramesTop + rowHeight;
    expect(rgb(strip, ruleX, secondFramesTop + tile / 2)).toEqual([134, 142, 150]);
    const [r, g, b] = rgb(strip, ruleX, firstFramesTop + tile / 2);
    expect(r === g && g === b).toBe(false); // a picture, not the rule
  });
});
