/** Motion on rendered videos: every direction word comes back from the track, and the other motion words hold. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/rng.js';
import { DIRECTIONS, directionOf } from './directions.js';
import { renderVideo } from './render.js';
import { sampleMotionScene } from './sample.js';
import { showsMotion, subjectConsistency, trackDirection, trackSubject } from './track.js';
import { loadWorldSpec } from './spec.js';

const spec = loadWorldSpec();

describe('directionOf', () => {
  it('names the eight 45° sectors with y down, and none below the minimum', () => {
    expect(directionOf(10, 0, 4)).toBe('right');
    expect(directionOf(-10, 1, 4)).toBe('left');
    expect(directionOf(0, -10, 4)).toBe('up');
    expect(directionOf(7, 7, 4)).toBe('down right');
    expect(directionOf(-7, -6, 4)).toBe('up left');
    expect(directionOf(2, 2, 4)).toBe('none');
  });
});

describe('tracking rendered videos', () => {
  it('recovers the direction of every direction word, for every class', () => {
    const rng = new Rng(11);
    let checked = 0;
    for (const [i, direction] of DIRECTIONS.entries()) {
      for (const [k, shape] of spec.classes.entries()) {
        if ((i + k) % 2 === 1) continue; // half the pairs keep the test quick; every class and direction still appear
        const scene = sampleMotionScene(rng, spec, { class: shape, color: 'blue', motion: direction });
        const track = trackSubject(renderVideo(scene, spec), spec, { class: shape, color: 'blue' });
        expect(trackDirection(track), `${shape} moving ${direction}`).toBe(direction);
        expect(showsMotion(track, direction)).toBe(true);
        expect(subjectConsistency(track)).toBe(1);
        checked++;
      }
    }
    expect(checked).toBe(32);
  }, 30_000); // 512 renders and detections: seconds on a busy 2-core machine

  it('tells growing, shrinking, rotating and bouncing apart from moving', () => {
    const rng = new Rng(5);
    for (const motion of ['growing', 'shrinking', 'rotating', 'bouncing']) {
      const scene = sampleMotionScene(rng, spec, { class: 'star', color: 'green', motion });
      const rotations = motion === 'rotating';
      const track = trackSubject(
        renderVideo(scene, spec),
        spec,
        { class: 'star', color: 'green' },
        { rotations },
      );
      expect(showsMotion(track, motion), motion).toBe(true);
      expect(showsMotion(track, 'left'), motion).toBe(
        motion === 'bouncing' && trackDirection(track) === 'left',
      );
      expect(subjectConsistency(track), motion).toBe(1);
    }
  });

  it('scores a video whose subject disappears as inconsistent', () => {
    const rng = new Rng(9);
    const scene = sampleMotionScene(rng, spec, { class: 'heart', color: 'red', motion: 'right' });
    const frames = renderVideo(scene, spec);
    const empty = renderVideo({ ...scene, objects: [] }, spec);
    const half = [...frames.slice(0, 8), ...empty.slice(8)];
    const track = trackSubject(half, spec, { class: 'heart', color: 'red' });
    expect(subjectConsistency(track)).toBe(0.5);
    expect(trackDirection(track)).toBe('right');
  });
});
