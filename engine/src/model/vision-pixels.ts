/**
 * Pixels in and out of the vision tokenizer (docs/vision-tokenizer.md#preprocessing, #postprocessing): the
 * size rule, the uint8 RGB -> float CHW preprocessing and the float CHW -> uint8 RGB postprocessing. Pure
 * functions; resizing itself (bicubic) happens elsewhere.
 *
 * Arithmetic follows the reference image processor step by step in float32 (Math.fround after each numpy
 * float32 operation), so results match it bit for bit where the reference's own order is known.
 */
import { EngineError, InternalError } from '../api/index.js';
import type { PreprocessorConfig } from './model-config.js';

export interface ImageSize {
  height: number;
  width: number;
}

/** The BAAI processor refuses aspect ratios above 5 (transformers relaxes this to 200). */
export const DEFAULT_MAX_ASPECT_RATIO = 5;

/**
 * smart_resize: both sides multiples of the spatial factor, area within [minPixels, maxPixels], aspect ratio
 * kept as closely as possible. Throws EngineError('bad_request') for images the reference refuses.
 */
export function smartResize(
  height: number,
  width: number,
  config: Pick<PreprocessorConfig, 'spatialFactor' | 'minPixels' | 'maxPixels'>,
  maxAspectRatio = DEFAULT_MAX_ASPECT_RATIO,
): ImageSize {
  const { spatialFactor: factor, minPixels, maxPixels } = config;
  if (height < factor || width < factor)
    throw new EngineError(
      'bad_request',
      `image ${width}×${height} is smaller than ${factor} pixels on a side`,
    );
  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > maxAspectRatio)
    throw new EngineError(
      'bad_request',
      `image ${width}×${height} has aspect ratio ${ratio.toFixed(2)}, more than ${maxAspectRatio}`,
    );
  // Python's round() rounds halves to even: 20 / 8 = 2.5 -> 2, not 3.
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.floor(height / beta / factor) * factor;
    w = Math.floor(width / beta / factor) * factor;
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * RGB uint8 HWC (already at the target size) -> float32 CHW: x * rescaleFactor, then (x - mean) / std per
 * channel. The rescale is a float64 product rounded to float32 and the normalize is float32 arithmetic, as in
 * transformers' `rescale` and `normalize`.
 */
export function preprocessImage(
  rgb: Uint8Array,
  size: ImageSize,
  config: Pick<PreprocessorConfig, 'imageMean' | 'imageStd' | 'rescaleFactor'>,
): Float32Array {
  const { height, width } = size;
  const plane = height * width;
  if (rgb.length !== plane * 3)
    throw new InternalError(`preprocessImage: ${rgb.length} bytes for a ${width}×${height} RGB image`);
  const out = new Float32Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(config.imageMean[c] as number);
    const std = Math.fround(config.imageStd[c] as number);
    for (let i = 0; i < plane; i++) {
      const scaled = Math.fround((rgb[i * 3 + c] as number) * config.rescaleFactor);
      out[c * plane + i] = Math.fround(scaled - mean) / std;
    }
  }
  return out;
}

/**
 * An image as a clip for the encoder: [frames, 3, H, W], the CHW image repeated `frames` times
 * (docs/vision-tokenizer.md#shape-rules).
 */
export function repeatAsClip(chw: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(chw.length * frames);
  for (let t = 0; t < frames; t++) out.set(chw, t * chw.length);
  return out;
}

/**
 * One decoded float32 CHW frame -> RGB uint8 HWC, the inverse of preprocessing as the reference does it:
 * normalize with mean' = -mean/std and std' = 1/std (x*0.5 + 0.5 for the released config), scale by
 * 1/rescaleFactor (255), clip to [0, 255], then TRUNCATE (numpy astype(uint8)), not round. NaN becomes 0.
 */
export function postprocessFrame(
  chw: Float32Array,
  size: ImageSize,
  config: Pick<PreprocessorConfig, 'imageMean' | 'imageStd' | 'rescaleFactor'>,
): Uint8Array {
  const { height, width } = size;
  const plane = height * width;
  if (chw.length !== plane * 3)
    throw new InternalError(`postprocessFrame: ${chw.length} values for a ${width}×${height} RGB frame`);
  const scale = 1 / config.rescaleFactor;
  const out = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const m = config.imageMean[c] as number;
    const s = config.imageStd[c] as number;
    const mean = Math.fround(-m / s);
    const std = Math.fround(1 / s);
    for (let i = 0; i < plane; i++) {
      const unit = Math.fround(Math.fround((chw[c * plane + i] as number) - mean) / std);
      const value = Math.fround(unit * scale);
      // Comparisons are false for NaN, which therefore lands on 0 (Uint8Array stores NaN as 0 too).
      out[i * 3 + c] = value >= 255 ? 255 : value > 0 ? Math.trunc(value) : 0;
    }
  }
  return out;
}
