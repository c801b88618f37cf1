import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../store.js';
import { MAX_TOASTS } from './slice.js';

describe('ui slice', () => {
  it('starts at home, and remembers whether the user chose a screen', () => {
    const store = createStudioStore();
    expect(store.getState()).toMatchObject({ screen: 'home', screenChosen: false, helpOpen: false });
    store.getState().showScreen('generate', false);
    expect(store.getState()).toMatchObject({ screen: 'generate', screenChosen: false });
    store.getState().showScreen('gallery');
    expect(store.getState()).toMatchObject({ screen: 'gallery', screenChosen: true });
    store.getState().showScreen('home', false);
    expect(store.getState().screenChosen).toBe(true);
  });

  it('keeps the newest toasts, each with its own id, and dismisses by id', () => {
    const store = createStudioStore();
    const ids = Array.from({ length: MAX_TOASTS + 2 }, (_, i) =>
      store.getState().pushToast({ message: `toast ${i}`, tone: 'info' }),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(store.getState().toasts.map((t) => t.message)).toEqual(['toast 2', 'toast 3', 'toast 4']);
    store.getState().dismissToast(ids[3]!);
    expect(store.getState().toasts.map((t) => t.message)).toEqual(['toast 2', 'toast 4']);
  });
});
