import { describe, expect, it } from 'vitest';
import { isTypingTarget, shortcutFor, SHORTCUTS, type KeyPress, type ShortcutContext } from './shortcuts.js';

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...over,
});
const at = (over: Partial<ShortcutContext>): ShortcutContext => ({
  screen: 'gallery',
  typing: false,
  dialogOpen: false,
  hasSelection: true,
  ...over,
});

describe('shortcutFor', () => {
  it('generates with Ctrl or Cmd+Enter on the Generate screen, even from the prompt', () => {
    const generate = at({ screen: 'generate', typing: true });
    expect(shortcutFor(press('Enter', { ctrlKey: true }), generate)).toBe('generate');
    expect(shortcutFor(press('Enter', { metaKey: true }), generate)).toBe('generate');
    expect(shortcutFor(press('Enter'), generate)).toBeNull();
    expect(shortcutFor(press('Enter', { ctrlKey: true }), at({ screen: 'gallery' }))).toBeNull();
  });

  it('lets Esc close a dialog first, then the gallery details, and cancel on Generate', () => {
    expect(shortcutFor(press('Escape'), at({ dialogOpen: true, screen: 'generate' }))).toBe('close');
    expect(shortcutFor(press('Escape'), at({ screen: 'gallery' }))).toBe('close');
    expect(shortcutFor(press('Escape'), at({ screen: 'gallery', hasSelection: false }))).toBeNull();
    expect(shortcutFor(press('Escape'), at({ screen: 'generate', typing: true }))).toBe('cancel');
  });

  it('moves, stars and trashes in the gallery, but never while typing or with modifiers', () => {
    expect(shortcutFor(press('ArrowRight'), at({}))).toBe('next');
    expect(shortcutFor(press('ArrowLeft'), at({}))).toBe('previous');
    expect(shortcutFor(press('ArrowDown'), at({}))).toBe('down');
    expect(shortcutFor(press('ArrowUp'), at({}))).toBe('up');
    expect(shortcutFor(press('s'), at({}))).toBe('star');
    expect(shortcutFor(press('Delete'), at({}))).toBe('trash');
    expect(shortcutFor(press('s'), at({ hasSelection: false }))).toBeNull();
    expect(shortcutFor(press('s'), at({ typing: true }))).toBeNull();
    expect(shortcutFor(press('s', { ctrlKey: true }), at({}))).toBeNull();
    expect(shortcutFor(press('ArrowRight'), at({ screen: 'generate' }))).toBeNull();
    expect(shortcutFor(press('ArrowRight'), at({ dialogOpen: true }))).toBeNull();
  });

  it('opens the help sheet with ? anywhere but in a text field', () => {
    expect(shortcutFor(press('?'), at({ screen: 'home' }))).toBe('help');
    expect(shortcutFor(press('?'), at({ dialogOpen: true }))).toBe('help');
    expect(shortcutFor(press('?'), at({ typing: true }))).toBeNull();
  });

  it('asks about the selected gallery item with A, and has keys of its own on Ask and Models', () => {
    expect(shortcutFor(press('a'), at({}))).toBe('askAbout');
    expect(shortcutFor(press('a'), at({ hasSelection: false }))).toBeNull();
    expect(shortcutFor(press('Escape'), at({ screen: 'ask', typing: true }))).toBe('askStop');
    expect(shortcutFor(press('/'), at({ screen: 'ask' }))).toBe('askFocus');
    expect(shortcutFor(press('u'), at({ screen: 'ask' }))).toBe('askFile');
    expect(shortcutFor(press('u'), at({ screen: 'ask', typing: true }))).toBeNull();
    expect(shortcutFor(press('Enter'), at({ screen: 'ask', typing: true }))).toBeNull();
    expect(shortcutFor(press('i'), at({ screen: 'models' }))).toBe('importFocus');
    expect(shortcutFor(press('i'), at({ screen: 'models', dialogOpen: true }))).toBeNull();
    expect(shortcutFor(press('i'), at({ screen: 'settings' }))).toBeNull();
  });

  it('lists every shortcut once in the help table', () => {
    const ids = SHORTCUTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isTypingTarget', () => {
  it('knows text fields from buttons and checkboxes', () => {
    expect(isTypingTarget({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'search' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
