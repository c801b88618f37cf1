/** The renderer on cases checkable by hand from WORLD.md, plus motion at frame t and speed. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/rng.js';
import { objectCoverage, renderFrame, renderVideo } from './render.js';
import { sampleScene } from './sample.js';
import { objectAt, reflect, type Background, type Scene } from './scene.js';
import { INSIDE } from './shapes.js';
import { loadWorldSpec } from './spec.js';

const spec = loadWorldSpec();
const { size } = spec;
const plain = (family: string): Background => ({ kind: 'plain', family, angle: 0, fx: 0, fy: 0, phase: 0 });
const pixel = (frame: { data: Uint8Array }, x: number, y: number) =>
  Array.from(frame.data.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));

describe('renderFrame', () => {
  it('gives a plain background its colour A everywhere', () => {
    const frame = renderFrame({ background: plain('plum'), objects: [] }, 0, spec);
    expect(frame).toMatchObject({ width: size, height: size });
    for (const [x, y] of [
      [0, 0],
      [size - 1, size - 1],
      [17, 90],
    ] as const)
      expect(pixel(frame, x, y)).toEqual(spec.backgrounds.plum![0]);
  });

  it('draws a pixel-aligned square as exactly its pixels, in the exact palette colour', () => {
    // r = 10: half-side 0.8·10 = 8, so the square covers [56, 72)² and no sample point of any other pixel.
    const scene: Scene = {
      background: plain('sand'),
      objects: [{ class: 'square', color: 'cyan', cx: 64, cy: 64, r: 10, angle: 0 }],
    };
    const frame = renderFrame(scene, 0, spec);
    const cyan = spec.colors.cyan!;
    let count = 0;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const inside = x >= 56 && x < 72 && y >= 56 && y < 72;
        expect(pixel(frame, x, y)).toEqual(inside ? cyan : spec.backgrounds.sand![0]);
        if (inside) count++;
      }
    expect(count).toBe(256);
    // A quarter turn leaves the square as it was.
    const turned = renderFrame(
      { ...scene, objects: [{ ...scene.objects[0]!, angle: Math.PI / 2 }] },
      0,
      spec,
    );
    expect(turned.data).toEqual(frame.data);
  });

  it('covers πr² pixels with a circle and blends its edge linearly by coverage', () => {
    const r = 20;
    const scene: Scene = {
      background: plain('sky'),
      objects: [{ class: 'circle', color: 'white', cx: 60.3, cy: 70.6, r, angle: 0 }],
    };
    const frame = renderFrame(scene, 0, spec);
    const bg = spec.backgrounds.sky![0][0];
    const fg = spec.colors.white![0];
    let covered = 0; // sum over pixels of the coverage read back from the red channel
    for (let p = 0; p < size * size; p++) covered += (frame.data[p * 3]! - bg) / (fg - bg);
    expect(covered).toBeGreaterThan(Math.PI * r * r * 0.99);
    expect(covered).toBeLessThan(Math.PI * r * r * 1.01);
    expect(pixel(frame, 60, 70)).toEqual(spec.colors.white);
    // The renderer's own coverage, rounded as WORLD.md says, at every pixel.
    const { x0, y0, width, coverage } = objectCoverage({ ...scene.objects[0]!, class: 'circle' }, spec);
    const at = (x: number, y: number) => coverage[(y - y0) * width + (x - x0)]!;
    expect(frame.data[(70 * size + 40) * 3]).toBe(Math.floor(bg * (1 - at(40, 70)) + fg * at(40, 70) + 0.5));
  });

  it('shades a gradient from A to B along its angle, sampled at pixel centres', () => {
    const frame = renderFrame({ background: { ...plain('sand'), kind: 'gradient' }, objects: [] }, 0, spec);
    const [a, b] = spec.backgrounds.sand!;
    // Angle 0: s = 0.5 + (x + 0.5 − 64) / 128 → x = 63 gives s = 0.49609375.
    const expected = a.map((v, c) => Math.floor(v + (b[c]! - v) * 0.49609375 + 0.5));
    expect(pixel(frame, 63, 5)).toEqual(expected);
    expect(pixel(frame, 63, 120)).toEqual(expected);
    expect(pixel(frame, 0, 0)).toEqual(a.map((v, c) => Math.floor(v + (b[c]! - v) * (0.5 / size) + 0.5)));
  });

  it('adds the texture wave to every channel of A', () => {
    const background: Background = { kind: 'texture', family: 'teal', angle: 0, fx: 3, fy: 5, phase: 1.1 };
    const frame = renderFrame({ background, objects: [] }, 0, spec);
    const [a] = spec.backgrounds.teal!;
    const wave = spec.texture.amplitude * Math.sin((2 * Math.PI * (3 * 10.5 + 5 * 20.5)) / size + 1.1);
    expect(pixel(frame, 10, 20)).toEqual(a.map((v) => Math.floor(v + wave + 0.5)));
  });

  it('draws each class around its centre with the documented inside test', () => {
    for (const shape of spec.classes) {
      const scene: Scene = {
        background: plain('forest'),
        objects: [{ class: shape, color: 'yellow', cx: 64, cy: 64, r: 30, angle: 0 }],
      };
      const frame = renderFrame(scene, 0, spec);
      // A pixel whose 16 sample points are all inside (or all outside) is exactly yellow (or background).
      for (const [u, v] of [
        [0, 0],
        [0, -0.7],
        [0.5, 0.5],
        [0.75, 0],
      ] as const) {
        const x = Math.floor(64 + u * 30);
        const y = Math.floor(64 + v * 30);
        const corners = [0.01, 0.99].flatMap((i) =>
          [0.01, 0.99].map((j) => INSIDE[shape]((x + i - 64) / 30, (y + j - 64) / 30)),
        );
        if (corners.every(Boolean))
          expect(pixel(frame, x, y), `${shape} at ${u},${v}`).toEqual(spec.colors.yellow);
        if (!corners.some(Boolean))
          expect(pixel(frame, x, y), `${shape} at ${u},${v}`).toEqual(spec.backgrounds.forest![0]);
      }
    }
  });

  it('renders a 128×128 scene in a few milliseconds', () => {
    const rng = new Rng(3);
    const scenes = Array.from({ length: 40 }, () => sampleScene(rng, spec, 4));
    renderFrame(scenes[0]!, 0, spec); // warm up the JIT
    const started = performance.now();
    for (const scene of scenes) renderFrame(scene, 0, spec);
    const ms = (performance.now() - started) / scenes.length;
    console.log(`render: ${ms.toFixed(2)} ms per ${size}×${size} frame (1–4 objects)`);
    expect(ms).toBeLessThan(50); // a few ms alone; loose, as other work may share the CPU
  });
});

describe('objects at frame t', () => {
  it('moves, spins and grows linearly', () => {
    const object = {
      class: 'star' as const,
      color: 'red',
      cx: 40,
      cy: 50,
      r: 10,
      angle: 0.5,
      motion: { kind: 'right', vx: 2.5, vy: -1, spin: 0.1, grow: 0.05 },
    };
    expect(objectAt(object, 4, size)).toEqual({
      class: 'star',
      color: 'red',
      cx: 50,
      cy: 46,
      r: 12,
      angle: 0.9,
    });
  });

  it('reflects a bouncing centre off the walls', () => {
    // lo = 10, hi = 118, L = 108: 130 is 12 past the right wall, so 106; −5 is 15 past the left, so 25.
    expect(reflect(130, 10, 118)).toBeCloseTo(106);
    expect(reflect(-5, 10, 118)).toBeCloseTo(25);
    expect(reflect(10 + 2 * 108 + 3, 10, 118)).toBeCloseTo(13);
    const ball = { class: 'circle' as const, color: 'blue', cx: 100, cy: 64, r: 10, angle: 0 };
    const at = objectAt({ ...ball, motion: { kind: 'bouncing', vx: 6, vy: 0, spin: 0, grow: 0 } }, 5, size);
    expect(at.cx).toBeCloseTo(118 - 12);
    const frames = renderVideo({ background: plain('sand'), objects: [ball] }, spec, 3);
    expect(frames).toHaveLength(3);
    expect(frames[2]!.data).toEqual(frames[0]!.data); // no motion: every frame is the image
  });
});
