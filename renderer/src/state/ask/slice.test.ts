import { describe, expect, it } from 'vitest';
import type { AskConversation, AskMessage } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';

const item = { kind: 'item', itemId: 7 } as const;
const message = (id: number, role: AskMessage['role'], text: string): AskMessage => ({
  id,
  role,
  text,
  createdAt: '2026-11-29T00:00:00.000Z',
  ...(role === 'assistant' ? { tokens: 3 } : {}),
});
const conversation = (over: Partial<AskConversation> = {}): AskConversation => ({
  subject: item,
  media: { sha256: 'a'.repeat(64), ext: 'png' },
  mediaKind: 'image',
  title: 'a red circle',
  messages: [message(1, 'user', 'What colour?'), message(2, 'assistant', 'red')],
  running: null,
  ...over,
});

function opened() {
  const store = createStudioStore();
  store.getState().askOpening(item);
  store.getState().askOpened(conversation());
  return store;
}

describe('ask slice', () => {
  it('shows a subject with its stored conversation', () => {
    const store = opened();
    const s = store.getState();
    expect(s.askView).toMatchObject({ status: 'ready', conversation: { title: 'a red circle' } });
    expect(s.askTurns.map((t) => [t.role, t.text, t.state])).toEqual([
      ['user', 'What colour?', 'stored'],
      ['assistant', 'red', 'stored'],
    ]);
  });

  it('ignores a conversation that arrives for a subject no longer on screen', () => {
    const store = createStudioStore();
    store.getState().askOpening({ kind: 'upload', sha256: 'b'.repeat(64) });
    store.getState().askOpened(conversation());
    expect(store.getState().askView.status).toBe('loading');
  });

  it('streams an answer in, then keeps the stored exchange', () => {
    const store = opened();
    const s = () => store.getState();
    s().askSending('And the shape?');
    s().askSent('q1');
    s().askDelta({ askId: 'other', text: 'nope' });
    s().askStarted({ askId: 'q1', subject: item, question: 'And the shape?' });
    s().askDelta({ askId: 'q1', text: ' a ' });
    s().askDelta({ askId: 'q1', text: 'circle' });
    expect(s().askPending).toMatchObject({ status: 'streaming', text: ' a circle' });
    s().askFinished({
      askId: 'q1',
      subject: item,
      question: message(3, 'user', 'And the shape?'),
      answer: message(4, 'assistant', 'a circle'),
      seconds: 1,
    });
    expect(s().askPending).toBeNull();
    expect(s().askTurns.map((t) => t.text)).toEqual(['What colour?', 'red', 'And the shape?', 'a circle']);
  });

  it('keeps a stopped answer on screen, marked as not kept', () => {
    const store = opened();
    const s = () => store.getState();
    s().askSending('Go on');
    s().askSent('q2');
    s().askDelta({ askId: 'q2', text: 'blue bl' });
    s().askEnded('q2', 'cancelled');
    expect(s().askPending).toBeNull();
    expect(
      s()
        .askTurns.slice(-2)
        .map((t) => [t.role, t.text, t.state]),
    ).toEqual([
      ['user', 'Go on', 'cancelled'],
      ['assistant', 'blue bl', 'cancelled'],
    ]);
  });

  it('picks up an answer being written when the subject is opened again', () => {
    const store = createStudioStore();
    store.getState().askOpening(item);
    store
      .getState()
      .askOpened(
        conversation({ running: { askId: 'q3', question: 'Where?', text: 'left', status: 'running' } }),
      );
    expect(store.getState().askPending).toEqual({
      askId: 'q3',
      question: 'Where?',
      text: 'left',
      status: 'streaming',
    });
  });

  it('keeps uploads newest first, once each', () => {
    const store = createStudioStore();
    const upload = (sha: string, name: string) => ({
      sha256: sha.repeat(64),
      media: { sha256: sha.repeat(64), ext: 'png' as const },
      mediaKind: 'image' as const,
      name,
      bytes: 10,
      addedAt: '2026-11-29T00:00:00.000Z',
    });
    store.getState().uploadsLoaded([upload('a', 'one.png'), upload('b', 'two.png')]);
    store.getState().uploadAdded(upload('b', 'two again.png'));
    expect(store.getState().uploads?.map((u) => u.name)).toEqual(['two again.png', 'one.png']);
  });
});
