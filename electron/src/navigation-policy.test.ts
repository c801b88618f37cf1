import { describe, expect, it } from 'vitest';
import { decideDownload, decideNavigation, decidePermission, decideWindowOpen } from './navigation-policy.js';

const ENGINE = 'http://127.0.0.1:4321';

describe('decideNavigation', () => {
  it("allows the engine's own pages", () => {
    expect(decideNavigation(`${ENGINE}/`, ENGINE)).toBe('allow');
    expect(decideNavigation(`${ENGINE}/#/gallery?x=1`, ENGINE)).toBe('allow');
  });

  it('opens https links in the browser', () => {
    expect(decideNavigation('https://huggingface.co/BAAI/Emu3-Gen', ENGINE)).toBe('open-external');
  });

  it('denies every other scheme and origin', () => {
    for (const target of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'about:blank',
      'http://example.com/',
      'http://127.0.0.1:9999/',
      'http://localhost:4321/',
      'https://user:pass@example.com/',
      'emu3-media://abc.png',
      'not a url',
    ]) {
      expect(decideNavigation(target, ENGINE), target).toBe('deny');
    }
  });

  it('denies even the old origin while the engine is down', () => {
    expect(decideNavigation(`${ENGINE}/`, null)).toBe('deny');
  });
});

describe('decideWindowOpen', () => {
  it('never opens a window in the app', () => {
    expect(decideWindowOpen(`${ENGINE}/`)).toBe('deny');
    expect(decideWindowOpen('https://example.com/docs')).toBe('open-external');
    expect(decideWindowOpen('http://example.com/')).toBe('deny');
    expect(decideWindowOpen('javascript:alert(1)')).toBe('deny');
  });
});

describe('decidePermission', () => {
  it('grants clipboard writes and fullscreen to the engine page only', () => {
    expect(decidePermission('clipboard-sanitized-write', `${ENGINE}/`, ENGINE)).toBe(true);
    expect(decidePermission('fullscreen', ENGINE, ENGINE)).toBe(true);
    expect(decidePermission('fullscreen', 'https://example.com/', ENGINE)).toBe(false);
    expect(decidePermission('fullscreen', `${ENGINE}/`, null)).toBe(false);
  });

  it('denies camera, microphone, geolocation and the rest', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'usb',
      'openExternal',
    ]) {
      expect(decidePermission(permission, `${ENGINE}/`, ENGINE), permission).toBe(false);
    }
  });
});

describe('decideDownload', () => {
  const SHA = 'c'.repeat(64);

  it("allows the running engine's exports and media files, with or without the secret in the query", () => {
    for (const path of [
      '/api/export/7.mp4',
      '/api/export/12.gif?token=x',
      `/api/media/${SHA}.png`,
      `/api/media/${SHA}.webm`,
    ]) {
      expect(decideDownload(`${ENGINE}${path}`, ENGINE), path).toBe('allow');
    }
  });

  it('cancels every other download', () => {
    for (const target of [
      `${ENGINE}/`,
      `${ENGINE}/api/info`,
      `${ENGINE}/api/export/0.mp4`,
      `${ENGINE}/api/export/7.html`,
      `${ENGINE}/api/export/7.mp4/../../../etc/passwd`,
      `${ENGINE}/api/media/${SHA}.svg`,
      `${ENGINE}/api/media/../export/7.mp4x`,
      `http://127.0.0.1:9999/api/export/7.mp4`,
      `https://example.com/api/export/7.mp4`,
      'data:text/html,<script>alert(1)</script>',
      'blob:http://127.0.0.1:4321/abc',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(decideDownload(target, ENGINE), target).toBe('deny');
    }
    expect(decideDownload(`${ENGINE}/api/export/7.mp4`, null)).toBe('deny');
  });
});
