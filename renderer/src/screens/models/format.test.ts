import { describe, expect, it } from 'vitest';
import { baseName, formatBytes } from './format.js';

describe('model formatting', () => {
  it('writes sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(840_123)).toBe('840 kB');
    expect(formatBytes(30_412_000)).toBe('30.4 MB');
    expect(formatBytes(4_800_000_000)).toBe('4.80 GB');
  });

  it('shortens paths to their last part', () => {
    expect(baseName('/home/me/models/nano/model.safetensors')).toBe('model.safetensors');
    expect(baseName('C:\\models\\x.json')).toBe('x.json');
  });
});
