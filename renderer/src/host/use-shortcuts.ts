/** The hook that runs the keyboard shortcuts. */
import { useEffect } from 'react';
import { cancelRunningJob, generate } from '../commands/generate.js';
import { askAboutItem, cancelAnswer } from '../commands/ask.js';
import { moveSelection, toggleStar, trashItem } from '../commands/gallery.js';
import { isTypingTarget, shortcutFor, type ShortcutId } from '../shortcuts/shortcuts.js';
import { ASK_FILE_INPUT_ID, ASK_QUESTION_ID, IMPORT_PATH_FOCUS } from '../shortcuts/targets.js';
import type { Studio } from './studio.js';

/** One keydown listener for the whole window, deciding through the shortcut table. */
export function useShortcuts(studio: Studio): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const s = studio.store.getState();
      const id = shortcutFor(event, {
        screen: s.screen,
        typing: isTypingTarget(event.target),
        dialogOpen: s.helpOpen,
        hasSelection: s.selected !== null,
      });
      if (id === null) return;
      event.preventDefault();
      run(studio, id);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [studio]);
}

function run(studio: Studio, id: ShortcutId): void {
  const s = studio.store.getState();
  const selected = s.selected?.id;
  switch (id) {
    case 'generate':
      return void generate(studio);
    case 'cancel':
      return cancelRunningJob(studio);
    case 'close':
      return s.helpOpen ? s.setHelpOpen(false) : s.clearSelection();
    case 'help':
      return s.setHelpOpen(!s.helpOpen);
    case 'next':
      return moveSelection(studio, 1);
    case 'previous':
      return moveSelection(studio, -1);
    case 'down':
      return moveSelection(studio, s.columns);
    case 'up':
      return moveSelection(studio, -s.columns);
    case 'star':
      return selected === undefined ? undefined : toggleStar(studio, selected);
    case 'trash':
      return selected === undefined ? undefined : void trashItem(studio, selected);
    case 'askAbout':
      return selected === undefined ? undefined : askAboutItem(studio, selected);
    case 'ask':
      return;
    case 'askStop':
      return cancelAnswer(studio);
    case 'askFocus':
      return document.getElementById(ASK_QUESTION_ID)?.focus();
    case 'askFile':
      return document.getElementById(ASK_FILE_INPUT_ID)?.click();
    case 'importFocus':
      return document.querySelector<HTMLElement>(`[data-focus="${IMPORT_PATH_FOCUS}"]`)?.focus();
  }
}
