/** Page helpers for the video parts of the studio: the Generate form's video mode, players, Extend, lineage. */
import { spawnSync } from 'node:child_process';
import type { Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { detail, fillGenerate, generateButton, preview } from './studio-page.js';

export const extendDialog = (page: Page) => page.getByRole('dialog', { name: 'Extend a video' });
export const lineage = (page: Page) => detail(page).getByRole('region', { name: 'Lineage' });
export const detailVideo = (page: Page) => detail(page).locator('video');

/** Switches the form to video and queues one video of `frames` latent frames at `fps`. */
export async function generateVideo(
  page: Page,
  fields: { prompt: string; frames: number; fps: number; seed?: number; size?: number },
): Promise<void> {
  await page
    .getByRole('group', { name: 'Generate an image or a video' })
    .getByRole('button', { name: 'Video' })
    .click();
  await fillGenerate(page, {
    prompt: fields.prompt,
    ...(fields.seed !== undefined ? { seed: fields.seed } : {}),
    ...(fields.size !== undefined ? { size: fields.size } : {}),
  });
  await page.getByLabel('Length (latent frames)').fill(String(fields.frames));
  await page.getByLabel('FPS').fill(String(fields.fps));
  await generateButton(page).click();
}

/** Waits for the live preview to show a finished job (a video's player). */
export async function previewFinished(page: Page, timeout = 60_000): Promise<void> {
  await expect.poll(() => preview(page).getAttribute('data-status'), { timeout }).toBe('finished');
}

/** Records every latent frame the preview showed, with its rows, into `window.__frames`. */
export async function recordPreviewFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __frames: string[] }).__frames = seen;
    new MutationObserver(() => {
      const figure = document.querySelector('figure[aria-label="Live preview"]');
      const value = `${figure?.getAttribute('data-status')}:${figure?.getAttribute('data-frame')}:${figure?.getAttribute('data-rows')}`;
      if (seen.at(-1) !== value) seen.push(value);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-rows', 'data-frame', 'data-status'],
    });
  });
}

export function recordedPreviewFrames(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __frames: string[] }).__frames);
}

/** Waits until the detail view's player says it is playing. */
export async function expectPlaying(page: Page): Promise<void> {
  await expect
    .poll(() => detail(page).locator('figure.video-player').getAttribute('data-state'), { timeout: 20_000 })
    .toBe('playing');
}

/** Sets the detail player's time and resolves with the time it reports once `seeked` fires. */
export function seekDetailVideo(page: Page, seconds: number): Promise<number> {
  return detailVideo(page).evaluate(
    (video: HTMLVideoElement, to: number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no seeked event within 10 s')), 10_000);
        video.addEventListener(
          'seeked',
          () => {
            clearTimeout(timer);
            resolve(video.currentTime);
          },
          { once: true },
        );
        video.currentTime = to;
      }),
    seconds,
  );
}

/** Responses to media requests for MP4s, to see that the player asked for byte ranges. */
export function watchVideoResponses(page: Page): Response[] {
  const seen: Response[] = [];
  page.on('response', (response) => {
    if (/\/api\/media\/[0-9a-f]{64}\.mp4/.test(response.url())) seen.push(response);
  });
  return seen;
}

/** Opens the Extend dialog on the detail view's video (Extend… or Extend again…) and queues an extension. */
export async function extendFromDetail(page: Page, add: number, context: number): Promise<void> {
  await detail(page)
    .getByRole('button', { name: /^Extend( again)?…$/ })
    .click();
  await extendAndQueue(page, add, context);
}

export async function extendAndQueue(page: Page, add: number, context: number, seed?: number): Promise<void> {
  const dialog = extendDialog(page);
  await dialog.getByLabel('Add (latent frames)').fill(String(add));
  await dialog.getByLabel('Context (latent frames)').fill(String(context));
  if (seed !== undefined) await dialog.getByLabel('Seed').fill(String(seed));
  await dialog.getByRole('button', { name: 'Extend', exact: true }).click();
  await expect.poll(() => dialog.count(), { timeout: 20_000 }).toBe(0);
}

/** Writes a video with ffmpeg: an orange square moving right over blue, in any container ffmpeg writes. */
export function makeVideo(path: string, options: { size: string; seconds: number; codec: string }): void {
  const made = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x2a4d8f:s=${options.size}:d=${options.seconds}:r=24`,
    '-f', 'lavfi', '-i', `color=c=0xf08a24:s=48x48:d=${options.seconds}:r=24`,
    '-filter_complex', "[0][1]overlay=x='20+t*90':y='(main_h-48)/2':shortest=1",
    '-c:v', options.codec, path,
  ]); // prettier-ignore
  if (made.status !== 0) throw new Error(`ffmpeg could not write ${path}: ${made.stderr.toString()}`);
}
