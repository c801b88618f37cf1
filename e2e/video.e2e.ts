/**
 * Video end to end on the tiny fixture model: generate a video and play it (playing, and seeking by byte
 * ranges), extend it twice and walk the lineage of three, extend a file the user opens (made here with
 * ffmpeg in a container the browser cannot play), refuse a corrupt file in one line, and export.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './harness.js';
import { count, detail, expectText, galleryItems, preview, recentJobs, screen } from './studio-page.js';
import { useStudioSession } from './studio-session.js';
import {
  detailVideo,
  expectPlaying,
  extendAndQueue,
  extendDialog,
  extendFromDetail,
  generateVideo,
  lineage,
  makeVideo,
  previewFinished,
  recordedPreviewFrames,
  recordPreviewFrames,
  seekDetailVideo,
  watchVideoResponses,
} from './video-page.js';

const MODEL = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');
/** Jobs in the Generate screen's Recent list that finished: one more each time a job ends well. */
const finishedJobs = (page: Page) => recentJobs(page).filter({ hasText: 'Finished' }).count();
const PROMPT = 'a blue ring drifting right';

describe('Video', () => {
  const session = useStudioSession({
    homePrefix: 'emu3-video-e2e-',
    serve: ['--model', MODEL],
    waitForGenerate: true,
  });

  it('generates a video with a live preview, and plays it in the gallery: playing, and seeking works', async () => {
    const { page } = session;
    const ranges = watchVideoResponses(page);
    await recordPreviewFrames(page);
    await generateVideo(page, { prompt: PROMPT, frames: 3, fps: 4, seed: 11 });
    await expectText(page.locator('.field__hint').filter({ hasText: ' fps' }), '12 frames · 3.0 s at 4 fps');
    await previewFinished(page);
    const seen = await recordedPreviewFrames(page);
    // The preview filled in before the video was done, and only ever forward. With a model this fast the
    // browser may fold several frames' rows into one render (on a loaded machine even all but the first),
    // so frame by frame is checked with the slower nano model in video-screens.e2e.ts.
    const running = seen
      .filter((entry) => entry.startsWith('running:'))
      .map((entry) => entry.split(':').slice(1).map(Number) as [number, number]);
    const progress = running.map(([frame, rows]) => frame * 1000 + rows);
    expect(progress.length, seen.join(' ')).toBeGreaterThan(0);
    expect(progress, seen.join(' ')).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.at(-1), seen.join(' ')).toMatch(/^finished:/);
    await expectText(
      page.locator('.preview__caption'),
      `“${PROMPT}” · 24×24 · 12 new frames at 4 fps · seed 11`,
    );
    await expect.poll(() => preview(page).locator('video').count()).toBe(1);

    await screen(page, 'Gallery');
    await expectText(count(page), '1 item');
    expect(await galleryItems(page).first().getByRole('button').getAttribute('aria-label')).toBe(
      `${PROMPT} (video)`,
    );
    await galleryItems(page).first().getByRole('button').click();
    await expectPlaying(page);
    expect(await seekDetailVideo(page, 2.1)).toBeCloseTo(2.1, 1);
    // The media route answers the byte ranges the player asks for.
    const part = await detailVideo(page).evaluate(async (video: HTMLVideoElement) => {
      const response = await fetch(video.currentSrc, { headers: { Range: 'bytes=100-199' } });
      return {
        status: response.status,
        range: response.headers.get('content-range'),
        bytes: (await response.arrayBuffer()).byteLength,
      };
    });
    expect(part).toMatchObject({
      status: 206,
      range: expect.stringMatching(/^bytes 100-199\/\d+$/),
      bytes: 100,
    });
    expect(
      ranges.some((response) => response.status() === 206),
      ranges.map((r) => r.status()).join(),
    ).toBe(true);
    await expect
      .poll(() => detail(page).getByRole('list', { name: 'Filmstrip' }).getByRole('button').count(), {
        timeout: 20_000,
      })
      .toBe(12);
    await detail(page).getByRole('button', { name: 'Frame 12 at 2.75 s' }).click();
    await expectText(detail(page).locator('.video-player__caption'), /^Frame 12 of 12 · 2\.88 s/);
    const text = (await detail(page).textContent()) ?? '';
    expect(text).toContain('Length3 latent frames at 4 fps');
    expect(text).toContain('Size24×24 px');
  });

  it('extends it twice and walks the lineage of three', { timeout: 120_000 }, async () => {
    const { page } = session;
    for (const round of [1, 2]) {
      await screen(page, 'Generate');
      const ended = await finishedJobs(page);
      await screen(page, 'Gallery');
      await extendFromDetail(page, 1, 1);
      await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
      await expect.poll(() => finishedJobs(page), { timeout: 60_000 }).toBe(ended + 1);
      await expectText(page.locator('.preview__caption'), /4 new frames at 4 fps/);
      await page.getByRole('button', { name: 'Open in gallery' }).click();
      await expectText(count(page), `${round + 1} items`);
      await expectText(lineage(page), `Lineage · ${round + 1} of ${round + 1}`);
    }
    const chain = lineage(page).getByRole('listitem');
    expect(await chain.count()).toBe(3);
    expect(
      await lineage(page).getByRole('button', { name: /^#\d+/ }).last().getAttribute('aria-current'),
    ).toBe('true');
    await lineage(page).getByRole('button', { name: '← Parent' }).click();
    await expectText(lineage(page), 'Lineage · 2 of 3');
    await expectText(detail(page).getByRole('heading', { level: 2 }), `Item #2`);
    await lineage(page).getByRole('button', { name: '← Parent' }).click();
    await expectText(lineage(page), 'Lineage · 1 of 3');
    expect(await lineage(page).getByRole('button', { name: '← Parent' }).isDisabled()).toBe(true);
    await lineage(page).getByRole('button', { name: 'Child →' }).click();
    await expectText(lineage(page), 'Lineage · 2 of 3');
    expect(await detail(page).getByRole('button', { name: 'Extend again…' }).count()).toBe(1);
  });

  it('extends a video file the user opens, showing the crop first', async () => {
    const { page } = session;
    const file = join(session.home, 'drift.mkv');
    makeVideo(file, { size: '64x48', seconds: 2, codec: 'mpeg4' });
    await screen(page, 'Generate');
    const ended = await finishedJobs(page);
    await screen(page, 'Gallery');
    const before = Number((await count(page).textContent())!.split(' ')[0]);
    await page.getByLabel('Video file to extend').setInputFiles(file);
    const dialog = extendDialog(page);
    await expectText(dialog.locator('.extend-dialog__source'), /drift\.mkv64×48 · 16 frames at 8 fps/);
    expect(await dialog.locator('.crop-preview__box').getAttribute('data-crop')).toBe('48x48+8+0');
    await expectText(dialog.locator('figcaption'), 'Cropped to 48×48, resized to 24×24');
    await dialog.getByLabel('Crop', { exact: true }).selectOption('4:3');
    await expectText(dialog.locator('figcaption'), /^The whole frame|Cropped to/);
    await dialog.getByLabel('Crop', { exact: true }).selectOption('1:1');
    await extendAndQueue(page, 1, 2);
    await expect.poll(() => finishedJobs(page), { timeout: 60_000 }).toBe(ended + 1);
    await screen(page, 'Gallery');
    await expectText(count(page), `${before + 1} items`);
    await galleryItems(page).first().getByRole('button').click();
    await expectText(detail(page), /Sourcedrift\.mkv · its last 8 frames as context/);
    await expectPlaying(page);
  });

  it('refuses a corrupt or unsupported file in one line, and the gallery is unchanged', async () => {
    const { page } = session;
    const before = (await count(page).textContent())!;
    const broken = join(session.home, 'broken.mp4');
    writeFileSync(broken, Buffer.concat([Buffer.from('\0\0\0\x18ftypisom'), Buffer.alloc(6000, 0x5a)]));
    await page.getByLabel('Video file to extend').setInputFiles(broken);
    const alert = extendDialog(page).getByRole('alert');
    await expectText(alert, /^broken\.mp4: .+/);
    const message = (await alert.textContent())!;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toContain(session.home);
    await extendDialog(page).getByRole('button', { name: 'Close' }).click();

    // Dropped on the window, a damaged file ends the same way.
    const dropped = await page.evaluateHandle(
      (bytes: number[]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.mov', { type: 'video/quicktime' }));
        return transfer;
      },
      [...Buffer.alloc(3000, 0x33)],
    );
    await page.dispatchEvent('main', 'drop', { dataTransfer: dropped });
    await expectText(extendDialog(page).getByRole('alert'), /^dropped\.mov: .+/);
    await extendDialog(page).getByRole('button', { name: 'Close' }).click();

    const notes = join(session.home, 'notes.txt');
    writeFileSync(notes, 'not a video at all');
    await page.getByLabel('Video file to extend').setInputFiles(notes);
    await expectText(extendDialog(page).getByRole('alert'), 'notes.txt: text/plain is not a video.');
    await page.keyboard.press('Escape');
    await expect.poll(() => extendDialog(page).count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await count(page).textContent()).toBe(before);
    expect(session.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
  });

  it('exports a video as MP4, GIF and WebP', async () => {
    const { page } = session;
    await galleryItems(page).last().getByRole('button').click();
    await expectText(detail(page).locator('.item-detail__prompt').first(), PROMPT);
    const links = detail(page).getByRole('group', { name: 'Export' }).getByRole('link');
    await expect.poll(() => links.allTextContents(), { timeout: 20_000 }).toEqual(['MP4', 'GIF', 'WebP']);
    const heads = await page.evaluate(
      async (hrefs: string[]) => {
        const out: { type: string | null; disposition: string | null; head: number[] }[] = [];
        for (const href of hrefs) {
          const response = await fetch(href);
          const bytes = new Uint8Array(await response.arrayBuffer());
          out.push({
            type: response.headers.get('content-type'),
            disposition: response.headers.get('content-disposition'),
            head: [...bytes.subarray(0, 12)],
          });
        }
        return out;
      },
      await links.evaluateAll((all) => all.map((a) => (a as HTMLAnchorElement).href)),
    );
    expect(heads.map((h) => h.type)).toEqual(['video/mp4', 'image/gif', 'image/webp']);
    expect(heads[0]!.disposition).toMatch(
      /^attachment; filename="emu3-\d+-a-blue-ring-drifting-right\.mp4"$/,
    );
    const ascii = (bytes: number[]) => String.fromCharCode(...bytes);
    expect(ascii(heads[0]!.head.slice(4, 8))).toBe('ftyp');
    expect(ascii(heads[1]!.head.slice(0, 6))).toBe('GIF89a');
    expect(ascii(heads[2]!.head.slice(8, 12))).toBe('WEBP');
  });
});
