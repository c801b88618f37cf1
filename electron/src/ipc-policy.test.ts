import { describe, expect, it } from 'vitest';
import { checkIpc, ipcSenderOf, type IpcSender } from './ipc-policy.js';

const ENGINE = 'http://127.0.0.1:4321';
const good: IpcSender = { frameUrl: `${ENGINE}/#/gallery`, isMainFrame: true, fromStudioWindow: true };

describe('checkIpc', () => {
  it("allows the studio window's main frame on the engine's origin", () => {
    expect(checkIpc('dialog.openImage', good, ENGINE)).toEqual({ allowed: true });
    expect(checkIpc('dialog.saveFile', { ...good, frameUrl: `${ENGINE}/` }, ENGINE)).toEqual({
      allowed: true,
    });
  });

  it('refuses another origin, including another port of 127.0.0.1 and an old engine', () => {
    for (const frameUrl of ['https://example.com/', 'http://127.0.0.1:9999/', 'http://localhost:4321/']) {
      expect(checkIpc('dialog.openImage', { ...good, frameUrl }, ENGINE)).toMatchObject({ allowed: false });
    }
    expect(checkIpc('dialog.openImage', good, 'http://127.0.0.1:5555')).toEqual({
      allowed: false,
      reason: "dialog.openImage: the sender's origin http://127.0.0.1:4321 is not the engine's",
    });
  });

  it('refuses a subframe, even one on the engine origin', () => {
    expect(checkIpc('dialog.openImage', { ...good, isMainFrame: false }, ENGINE)).toEqual({
      allowed: false,
      reason: 'dialog.openImage: the sender is not the main frame',
    });
  });

  it('refuses an unknown channel before anything else', () => {
    expect(checkIpc('fs.readFile', good, ENGINE)).toEqual({
      allowed: false,
      reason: 'unknown channel "fs.readFile"',
    });
    expect(checkIpc('dialog.openImage', good, ENGINE, ['dialog.saveFile'])).toMatchObject({ allowed: false });
  });

  it('refuses file://, data:, about:blank and unreadable senders', () => {
    for (const frameUrl of ['file:///etc/passwd', 'data:text/html,hi', 'about:blank', 'not a url', null]) {
      const verdict = checkIpc('dialog.openFolder', { ...good, frameUrl }, ENGINE);
      expect(verdict).toMatchObject({ allowed: false });
    }
    expect(checkIpc('dialog.openFolder', { ...good, frameUrl: 'file:///x' }, ENGINE)).toEqual({
      allowed: false,
      reason: "dialog.openFolder: the sender's origin null is not the engine's",
    });
  });

  it('refuses other web contents, and everything while the engine is down', () => {
    expect(checkIpc('dialog.openImage', { ...good, fromStudioWindow: false }, ENGINE)).toMatchObject({
      allowed: false,
    });
    expect(checkIpc('dialog.openImage', good, null)).toEqual({
      allowed: false,
      reason: 'dialog.openImage: the engine is not running',
    });
  });
});

describe('ipcSenderOf', () => {
  const studio = { id: 1 };
  const isStudio = (sender: unknown) => sender === studio;

  it('reads the frame URL, whether it is the top frame, and the window', () => {
    const top = { url: `${ENGINE}/`, parent: null };
    expect(ipcSenderOf({ sender: studio, senderFrame: top }, isStudio)).toEqual({
      frameUrl: `${ENGINE}/`,
      isMainFrame: true,
      fromStudioWindow: true,
    });
    expect(ipcSenderOf({ sender: {}, senderFrame: { url: `${ENGINE}/x`, parent: top } }, isStudio)).toEqual({
      frameUrl: `${ENGINE}/x`,
      isMainFrame: false,
      fromStudioWindow: false,
    });
  });

  it('treats a frame that is gone as no sender', () => {
    expect(ipcSenderOf({ sender: studio, senderFrame: null }, isStudio)).toEqual({
      frameUrl: null,
      isMainFrame: false,
      fromStudioWindow: true,
    });
  });
});
