/**
 * Keyboard shortcuts as data: the help sheet lists this table, and `shortcutFor` decides what a key press
 * means where it happens. Letters and arrows are left to text fields while one has focus; Ctrl/Cmd+Enter and
 * Esc work everywhere (Ctrl+Enter from inside the prompt is the point).
 */
import type { Screen } from '../state/ui/slice.js';

export type ShortcutId =
  | 'generate'
  | 'cancel'
  | 'close'
  | 'star'
  | 'trash'
  | 'next'
  | 'previous'
  | 'down'
  | 'up'
  | 'help'
  | 'askAbout'
  | 'ask'
  | 'askStop'
  | 'askFocus'
  | 'askFile'
  | 'importFocus';

export interface Shortcut {
  id: ShortcutId;
  keys: string[];
  label: string;
  where: string;
}

/** In the order the help sheet lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'generate',
    keys: ['Ctrl+Enter', '⌘+Enter'],
    label: 'Generate with the current settings',
    where: 'Generate',
  },
  { id: 'cancel', keys: ['Esc'], label: 'Cancel the running job', where: 'Generate' },
  { id: 'close', keys: ['Esc'], label: 'Close the details or this sheet', where: 'Gallery, dialogs' },
  { id: 'next', keys: ['→'], label: 'Next item', where: 'Gallery' },
  { id: 'previous', keys: ['←'], label: 'Previous item', where: 'Gallery' },
  { id: 'down', keys: ['↓'], label: 'Item below', where: 'Gallery' },
  { id: 'up', keys: ['↑'], label: 'Item above', where: 'Gallery' },
  { id: 'star', keys: ['S'], label: 'Star or unstar the selected item', where: 'Gallery' },
  {
    id: 'trash',
    keys: ['Delete'],
    label: 'Move the selected item to the trash (undo in the toast)',
    where: 'Gallery',
  },
  { id: 'askAbout', keys: ['A'], label: 'Ask about the selected item', where: 'Gallery' },
  // Enter is the question box's own (Shift+Enter keeps a new line there); listed here, decided there.
  { id: 'ask', keys: ['Enter'], label: 'Ask the question (Shift+Enter: a new line)', where: 'Ask' },
  { id: 'askStop', keys: ['Esc'], label: 'Stop the answer being written', where: 'Ask' },
  { id: 'askFocus', keys: ['/'], label: 'Go to the question box', where: 'Ask' },
  { id: 'askFile', keys: ['U'], label: 'Choose an image or video file to ask about', where: 'Ask' },
  { id: 'importFocus', keys: ['I'], label: 'Go to the checkpoint folder to import', where: 'Models' },
  { id: 'help', keys: ['?'], label: 'Show or hide this sheet', where: 'Everywhere' },
];

/** The parts of a KeyboardEvent a decision needs (so tests need no DOM). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export interface ShortcutContext {
  screen: Screen;
  /** Focus is in a text field, a select or a text area. */
  typing: boolean;
  /** The help sheet (or another dialog) is open. */
  dialogOpen: boolean;
  /** A gallery item is selected. */
  hasSelection: boolean;
}

export function shortcutFor(press: KeyPress, context: ShortcutContext): ShortcutId | null {
  const { key } = press;
  if (key === 'Enter' && (press.ctrlKey || press.metaKey) && !press.altKey)
    return context.screen === 'generate' && !context.dialogOpen ? 'generate' : null;
  if (key === 'Escape') {
    if (context.dialogOpen) return 'close';
    if (context.screen === 'gallery') return context.hasSelection ? 'close' : null;
    if (context.screen === 'ask') return 'askStop';
    return context.screen === 'generate' ? 'cancel' : null;
  }
  if (context.typing || press.ctrlKey || press.metaKey || press.altKey) return null;
  if (key === '?') return 'help';
  if (context.dialogOpen) return null;
  if (context.screen === 'ask') {
    if (key === '/') return 'askFocus';
    return key === 'u' || key === 'U' ? 'askFile' : null;
  }
  if (context.screen === 'models') return key === 'i' || key === 'I' ? 'importFocus' : null;
  if (context.screen !== 'gallery') return null;
  switch (key) {
    case 'ArrowRight':
      return 'next';
    case 'ArrowLeft':
      return 'previous';
    case 'ArrowDown':
      return 'down';
    case 'ArrowUp':
      return 'up';
    case 's':
    case 'S':
      return context.hasSelection ? 'star' : null;
    case 'Delete':
    case 'Backspace':
      return context.hasSelection ? 'trash' : null;
    case 'a':
    case 'A':
      return context.hasSelection ? 'askAbout' : null;
    default:
      return null;
  }
}

/** Whether the focused element takes typed text, so letters and arrows belong to it. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const element = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!element?.tagName) return false;
  if (element.isContentEditable) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  return (
    element.tagName === 'INPUT' &&
    !['checkbox', 'radio', 'button', 'submit', 'range'].includes(element.type ?? '')
  );
}
