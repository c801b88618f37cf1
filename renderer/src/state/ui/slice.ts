/** Which screen is showing, the help sheet, and the toasts at the bottom of the window. */
import type { StateCreator } from 'zustand';
import type { StudioState } from '../store.js';

/** Only screens that exist: a new screen joins this list when it is built. */
export const SCREENS = [
  { id: 'home', label: 'Home' },
  { id: 'generate', label: 'Generate' },
  { id: 'gallery', label: 'Gallery' },
  { id: 'ask', label: 'Ask' },
  { id: 'models', label: 'Models' },
  { id: 'settings', label: 'Settings' },
] as const;
export type Screen = (typeof SCREENS)[number]['id'];

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error';
  action?: ToastAction;
  /** How long it stays; default: INFO_TOAST_MS for info, until dismissed for an error. */
  timeoutMs?: number;
}

export const INFO_TOAST_MS = 5000;

export interface UiSlice {
  screen: Screen;
  /** Whether the user picked a screen: until then the studio may move to Generate once a model is active. */
  screenChosen: boolean;
  helpOpen: boolean;
  toasts: Toast[];
  showScreen(screen: Screen, byUser?: boolean): void;
  setHelpOpen(open: boolean): void;
  /** Shows a toast and answers its id; at most MAX_TOASTS stay, the oldest go first. */
  pushToast(toast: Omit<Toast, 'id'>): number;
  dismissToast(id: number): void;
}

export const MAX_TOASTS = 3;

export const createUiSlice: StateCreator<StudioState, [], [], UiSlice> = (set) => {
  // Never reused, so a timer that dismisses an old toast cannot hit a newer one.
  let lastToastId = 0;
  return {
    screen: 'home',
    screenChosen: false,
    helpOpen: false,
    toasts: [],
    showScreen: (screen, byUser = true) =>
      set((state) => ({ screen, screenChosen: state.screenChosen || byUser })),
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    pushToast(toast) {
      const id = ++lastToastId;
      set((state) => ({ toasts: [...state.toasts, { ...toast, id }].slice(-MAX_TOASTS) }));
      return id;
    },
    dismissToast: (id) => set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) })),
  };
};
