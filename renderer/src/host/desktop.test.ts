import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuCommand } from '../../../engine/src/api/index.js';
import { onMenuCommand } from './desktop.js';

/** A bridge whose menu sends what the test says, as main would on `menu.command`. */
function stubMenu(): (command: unknown) => void {
  let listener: ((command: unknown) => void) | null = null;
  (globalThis as { studioDesktop?: unknown }).studioDesktop = {
    onMenuCommand: (callback: (command: unknown) => void) => {
      listener = callback;
      return () => (listener = null);
    },
  };
  return (command) => listener?.(command);
}

describe('onMenuCommand', () => {
  afterEach(() => {
    delete (globalThis as { studioDesktop?: unknown }).studioDesktop;
    vi.restoreAllMocks();
  });

  it('is a no-op in a browser', () => {
    const stop = onMenuCommand(() => {});
    expect(() => stop()).not.toThrow();
  });

  it('passes on the commands of the shared bridge module and drops any other, with a line saying so', () => {
    const send = stubMenu();
    const seen: MenuCommand[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stop = onMenuCommand((command) => seen.push(command));
    send({ command: 'openMedia', path: '/a/clip.mp4' });
    send({ command: 'showShortcuts' });
    send({ command: 'openMedia' });
    send({ command: 'formatDisk', path: '/' });
    expect(seen).toEqual([{ command: 'openMedia', path: '/a/clip.mp4' }, { command: 'showShortcuts' }]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]?.[0]).toMatch(/^menu\.command: not a command this page knows: .*formatDisk/);
    stop();
    send({ command: 'showShortcuts' });
    expect(seen).toHaveLength(2);
  });
});
