/**
 * The video screens with the bundled nano model, whose videos show its world's moving shapes: a video
 * filling in frame by frame, the gallery's player with its filmstrip, the Extend dialog's crop of an opened
 * file, and an extension in its lineage. These runs take a minute on two cores; they make the screenshots in
 * docs/screenshots/ (`npm run screenshots`).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, screenshotPath } from './harness.js';
import {
  detail,
  dismissToasts,
  expectText,
  galleryItems,
  preview,
  recentJobs,
  screen,
} from './studio-page.js';
import { useStudioSession } from './studio-session.js';
import {
  expectPlaying,
  extendAndQueue,
  extendDialog,
  generateVideo,
  lineage,
  makeVideo,
  previewFinished,
} from './video-page.js';

const NANO = join(repoRoot, 'models/nano');
const PROMPT = 'a video of a red circle moving right';

describe('Video screens (nano model)', () => {
  // The first start imports the nano checkpoint into this library.
  const session = useStudioSession({
    homePrefix: 'emu3-video-screens-',
    serve: ['--model', NANO],
    waitForGenerate: true,
    timeout: 240_000,
  });

  it('fills in a video frame by frame', { timeout: 240_000 }, async () => {
    const { page } = session;
    // A seed whose shape is plain to see over a plain ground (the nano model's videos vary a lot).
    await generateVideo(page, { prompt: PROMPT, frames: 4, fps: 8, seed: 3 });
    // The third latent frame is being written: two done in the strip, most of the third there.
    await expect
      .poll(
        async () =>
          (await preview(page).getAttribute('data-status')) === 'running' &&
          Number(await preview(page).getAttribute('data-frame')) === 2 &&
          Number(await preview(page).getAttribute('data-rows')) >= 12,
        { timeout: 180_000, interval: 100 },
      )
      .toBe(true);
    await dismissToasts(page);
    await page.locator('.generate-screen__settings').evaluate((panel) => (panel.scrollTop = 0));
    await page.screenshot({ path: screenshotPath('generate-video') });
    await previewFinished(page, 180_000);
    await expectText(recentJobs(page).first(), /Finished/);
  });

  it('plays it in the gallery, with its filmstrip', { timeout: 60_000 }, async () => {
    const { page } = session;
    await screen(page, 'Gallery');
    await galleryItems(page).first().getByRole('button').click();
    await expectPlaying(page);
    const strip = detail(page).getByRole('list', { name: 'Filmstrip' }).getByRole('button');
    await expect.poll(() => strip.count(), { timeout: 20_000 }).toBe(12);
    await strip.nth(7).click();
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('gallery-video') });
  });

  it('shows how an opened file will be cropped before extending it', { timeout: 60_000 }, async () => {
    const { page } = session;
    const file = join(session.home, 'orange-square.webm');
    makeVideo(file, { size: '320x240', seconds: 2, codec: 'libvpx-vp9' });
    await page.getByLabel('Video file to extend').setInputFiles(file);
    await expectText(extendDialog(page).locator('figcaption'), 'Cropped to 240×240, resized to 128×128');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('extend-file') });
    await extendDialog(page).getByRole('button', { name: 'Close' }).click();
  });

  it('extends the video and shows the lineage', { timeout: 240_000 }, async () => {
    const { page } = session;
    await detail(page).getByRole('button', { name: 'Extend…' }).click();
    await expectText(extendDialog(page).locator('figcaption'), 'The whole frame, resized to 128×128');
    await extendAndQueue(page, 2, 2, 3);
    await expect
      .poll(() => recentJobs(page).filter({ hasText: 'Finished' }).count(), { timeout: 180_000 })
      .toBe(2);
    await page.getByRole('button', { name: 'Open in gallery' }).click();
    await expectText(lineage(page), 'Lineage · 2 of 2');
    await expectPlaying(page);
    const strip = detail(page).getByRole('list', { name: 'Filmstrip' }).getByRole('button');
    await expect.poll(() => strip.count(), { timeout: 20_000 }).toBe(12);
    await strip.nth(9).click();
    await dismissToasts(page);
    await lineage(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('gallery-lineage') });
    expect(session.problems).toEqual([]);
  });
});
