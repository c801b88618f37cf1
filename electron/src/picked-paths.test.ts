import { describe, expect, it } from 'vitest';
import { PickedPaths } from './picked-paths.js';

describe('PickedPaths', () => {
  it('knows exactly the paths it was given, passing them and null through', () => {
    const picked = new PickedPaths();
    expect(picked.grant('/home/a/cat.png')).toBe('/home/a/cat.png');
    expect(picked.grant(null)).toBeNull();
    expect(picked.has('/home/a/cat.png')).toBe(true);
    expect(picked.has('/home/a/./cat.png')).toBe(true);
    expect(picked.has('/home/a/dog.png')).toBe(false);
  });

  it('grants no folder, sibling, parent or prefix of a picked file', () => {
    const picked = new PickedPaths();
    picked.grant('/home/a/cat.png');
    for (const path of [
      '/home/a',
      '/home/a/',
      '/home/a/cat.png/../.ssh/id_rsa',
      '/home/a/cat.pn',
      '/home/a/cat.png.bak',
      'cat.png',
      '../a/cat.png',
      '/home/a/cat.png\0.txt',
      '',
    ]) {
      expect(picked.has(path), path).toBe(false);
    }
  });

  it('ignores relative paths it is handed, and forgets the oldest beyond its capacity', () => {
    const picked = new PickedPaths(2);
    picked.grant('cat.png');
    expect(picked.has('cat.png')).toBe(false);
    picked.grant('/a');
    picked.grant('/b');
    picked.grant('/a');
    picked.grant('/c');
    expect(['/a', '/b', '/c'].map((path) => picked.has(path))).toEqual([true, false, true]);
  });
});
