import { describe, expect, it } from 'vitest';
import { shorten } from './toast-text.js';

describe('shorten', () => {
  it('keeps text that fits and cuts longer text to the limit, ellipsis included', () => {
    expect(shorten('a red circle left of a brown square')).toBe('a red circle left of a brown square');
    const long = 'a photo of a red circle left of a brown square';
    expect(shorten(long)).toBe('a photo of a red circle left of a brown…');
    expect(shorten(long)).toHaveLength(40);
    expect(shorten('abcdef', 4)).toBe('abc…');
  });
});
