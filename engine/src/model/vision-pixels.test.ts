import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { postprocessFrame, preprocessImage, repeatAsClip, smartResize } from './vision-pixels.js';

/**
 * The released Emu3-VisionTokenizer preprocessor_config.json values (docs/vision-tokenizer.md#preprocessing).
 */
const RELEASED = {
  spatialFactor: 8,
  minPixels: 512 * 512,
  maxPixels: 1024 * 1024,
  imageMean: [0.5, 0.5, 0.5] as [number, number, number],
  imageStd: [0.5, 0.5, 0.5] as [number, number, number],
  rescaleFactor: 1 / 255,
};

describe('smartResize', () => {
  // Expected values come from running the reference Python smart_resize.
  it.each([
    [200, 200, 512, 512], // upscaled to at least 512² area
    [512, 512, 512, 512],
    [600, 800, 600, 800], // already valid: unchanged
    [720, 1280, 720, 1280],
    [333, 517, 416, 640],
    [100, 300, 296, 888],
    [1080, 1920, 768, 1360], // over 1024²: scaled down, floored to multiples of 8
    [2000, 1000, 1448, 720],
  ])('%i×%i (h×w) -> %i×%i', (height, width, h, w) => {
    expect(smartResize(height, width, RELEASED)).toEqual({ height: h, width: w });
  });

  it("rounds halves to even like Python's round()", () => {
    const loose = { spatialFactor: 8, minPixels: 0, maxPixels: 1e9 };
    expect(smartResize(20, 44, loose)).toEqual({ height: 16, width: 48 }); // 2.5 -> 2, 5.5 -> 6
    expect(smartResize(28, 36, loose)).toEqual({ height: 32, width: 32 }); // 3.5 -> 4, 4.5 -> 4
  });

  it('refuses tiny images and aspect ratios over 5 (unless allowed)', () => {
    expect(() => smartResize(7, 100, RELEASED)).toThrow(EngineError);
    expect(() => smartResize(100, 600, RELEASED)).toThrow('aspect ratio');
    expect(smartResize(100, 600, RELEASED, 200)).toEqual({ height: 216, width: 1256 });
  });
});

describe('preprocessImage', () => {
  it('rescales by 1/255, normalizes to [-1, 1] and turns HWC into CHW', () => {
    const rgb = Uint8Array.from([0, 255, 51, 255, 0, 204]); // 1×2 pixels: (0,255,51), (255,0,204)
    const chw = preprocessImage(rgb, { height: 1, width: 2 }, RELEASED);
    expect(Array.from(chw)).toEqual([-1, 1, 1, -1, Math.fround(-0.6), Math.fround(0.6)]);
  });

  it('uses the per-channel mean and std of the config', () => {
    const config = {
      ...RELEASED,
      imageMean: [0, 0.5, 1] as [number, number, number],
      imageStd: [1, 0.25, 2] as [number, number, number],
    };
    expect(
      Array.from(preprocessImage(Uint8Array.from([255, 255, 255]), { height: 1, width: 1 }, config)),
    ).toEqual([1, 2, 0]);
  });

  it('repeats an image into an encoder clip', () => {
    expect(Array.from(repeatAsClip(Float32Array.from([1, 2, 3]), 3))).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });
});

describe('postprocessFrame', () => {
  it('maps x*0.5+0.5 to [0, 255], clips, and TRUNCATES instead of rounding', () => {
    // CHW with 1×4 pixels: red gets four probe values, green and blue fill in.
    const red = [0, 0.999, -1, 1];
    const green = [1.5, -3, Number.NaN, 0.9999];
    const blue = [-0.99, 0.5, 0.25, -0.5];
    const out = postprocessFrame(
      Float32Array.from([...red, ...green, ...blue]),
      { height: 1, width: 4 },
      RELEASED,
    );
    // 0 -> 127.5 -> 127; 0.999 -> 254.87 -> 254; 0.9999 -> 254.98 -> 254; -0.99 -> 1.27 -> 1; 0.25 -> 159.375 -> 159.
    expect(Array.from(out)).toEqual([127, 255, 1, 254, 0, 191, 0, 0, 159, 255, 254, 63]);
  });

  it('inverts preprocessing to within one level (truncation can drop a level)', () => {
    const rgb = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
    const size = { height: 1, width: 256 };
    const back = postprocessFrame(preprocessImage(rgb, size, RELEASED), size, RELEASED);
    back.forEach((v, i) => expect(Math.abs(v - rgb[i]!)).toBeLessThanOrEqual(1));
  });
});
