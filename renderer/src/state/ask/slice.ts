/**
 * Ask: the subject being asked about (a gallery item or an uploaded file), its conversation as stored in the
 * library, and the answer being written now, which grows with every `ask.delta`. A question the user
 * cancelled, or whose answer failed, stays on screen marked as such; only finished exchanges are stored.
 */
import type { StateCreator } from 'zustand';
import {
  sameSubject,
  type AskConversation,
  type AskMessage,
  type AskSubject,
  type AskUpload,
  type EventData,
} from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

/** A line of the conversation as shown: stored, being written, or ended without being stored. */
export interface AskTurn {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  state: 'stored' | 'queued' | 'streaming' | 'cancelled' | 'failed';
  tokens?: number;
  /** Why an answer failed. */
  error?: string;
}

export type AskView =
  | { status: 'empty' }
  | { status: 'loading'; subject: AskSubject }
  | { status: 'failed'; subject: AskSubject; message: string }
  | { status: 'ready'; subject: AskSubject; conversation: Omit<AskConversation, 'messages' | 'running'> };

/** The question being answered for the subject on screen. */
export interface AskPending {
  askId: string | null;
  question: string;
  text: string;
  status: 'sending' | 'queued' | 'streaming';
}

export interface AskSlice {
  askView: AskView;
  askTurns: AskTurn[];
  askPending: AskPending | null;
  /** Uploaded files, newest first; null until loaded. */
  uploads: AskUpload[] | null;
  /** A file being sent to the engine. */
  uploading: string | null;
  askOpening(subject: AskSubject): void;
  askOpened(conversation: AskConversation): void;
  askOpenFailed(subject: AskSubject, message: string): void;
  askSending(question: string): void;
  askSent(askId: string): void;
  askSendFailed(message: string): void;
  askStarted(data: EventData<'ask.started'>): void;
  askDelta(data: EventData<'ask.delta'>): void;
  askFinished(data: EventData<'ask.finished'>): void;
  askEnded(askId: string, outcome: 'cancelled' | 'failed', error?: string): void;
  uploadsLoaded(uploads: AskUpload[]): void;
  uploadingChanged(name: string | null): void;
  uploadAdded(upload: AskUpload): void;
}

const stored = (message: AskMessage): AskTurn => ({
  key: `m${message.id}`,
  role: message.role,
  text: message.text,
  state: 'stored',
  ...(message.tokens !== undefined ? { tokens: message.tokens } : {}),
});

export function subjectOnScreen(state: StudioState): AskSubject | null {
  return state.askView.status === 'empty' ? null : state.askView.subject;
}

export const createAskSlice: StateCreator<StudioState, [], [], AskSlice> = (set, get) => {
  let lastLocal = 0;
  /** Ends the pending answer on screen, keeping its question and what was written as a turn. */
  const endPending = (outcome: 'cancelled' | 'failed', error?: string) =>
    set((state) => {
      const pending = state.askPending;
      if (!pending) return {};
      const n = ++lastLocal;
      const turns: AskTurn[] = [
        ...state.askTurns,
        { key: `l${n}q`, role: 'user', text: pending.question, state: outcome },
        {
          key: `l${n}a`,
          role: 'assistant',
          text: pending.text,
          state: outcome,
          ...(error !== undefined ? { error } : {}),
        },
      ];
      return { askTurns: turns, askPending: null };
    });
  const isOnScreen = (askId: string) => get().askPending?.askId === askId;

  return {
    askView: { status: 'empty' },
    askTurns: [],
    askPending: null,
    uploads: null,
    uploading: null,
    askOpening: (subject) => set({ askView: { status: 'loading', subject }, askTurns: [], askPending: null }),
    askOpened: ({ messages, running, ...conversation }) =>
      set((state) =>
        state.askView.status === 'empty' || !sameSubject(state.askView.subject, conversation.subject)
          ? {}
          : {
              askView: { status: 'ready', subject: conversation.subject, conversation },
              askTurns: messages.map(stored),
              askPending: running
                ? {
                    askId: running.askId,
                    question: running.question,
                    text: running.text,
                    status: running.status === 'running' ? 'streaming' : 'queued',
                  }
                : null,
            },
      ),
    askOpenFailed: (subject, message) => set({ askView: { status: 'failed', subject, message } }),
    askSending: (question) => set({ askPending: { askId: null, question, text: '', status: 'sending' } }),
    askSent: (askId) =>
      set((state) =>
        state.askPending?.status === 'sending'
          ? { askPending: { ...state.askPending, askId, status: 'queued' } }
          : {},
      ),
    askSendFailed: (message) => endPending('failed', message),
    askStarted: ({ askId }) =>
      set((state) =>
        isOnScreen(askId) && state.askPending
          ? { askPending: { ...state.askPending, status: 'streaming' } }
          : {},
      ),
    askDelta: ({ askId, text }) =>
      set((state) =>
        isOnScreen(askId) && state.askPending
          ? { askPending: { ...state.askPending, status: 'streaming', text: state.askPending.text + text } }
          : {},
      ),
    askFinished: ({ askId, subject, question, answer }) =>
      set((state) => {
        const here = state.askView.status === 'ready' && sameSubject(state.askView.subject, subject);
        if (!here) return {};
        // Asked from another window: the exchange joins this conversation too.
        return {
          askTurns: [...state.askTurns, stored(question), stored(answer)],
          askPending: isOnScreen(askId) ? null : state.askPending,
        };
      }),
    askEnded: (askId, outcome, error) => {
      if (isOnScreen(askId)) endPending(outcome, error);
    },
    uploadsLoaded: (uploads) => set({ uploads }),
    uploadingChanged: (uploading) => set({ uploading }),
    uploadAdded: (upload) =>
      set((state) => ({
        uploads: [upload, ...(state.uploads ?? []).filter((u) => u.sha256 !== upload.sha256)],
      })),
  };
};
