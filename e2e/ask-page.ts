/** Page helpers for Ask, Models and Settings, so tests read as what a user does. */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { detail, fillGenerate, galleryItems, generateButton, preview, screen } from './studio-page.js';

export const askMain = (page: Page) => page.getByRole('main', { name: 'Ask' });
export const subject = (page: Page) => page.getByRole('region', { name: 'Subject' });
export const messages = (page: Page) => page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
export const storedAnswers = (page: Page) =>
  page.locator('.ask-turn[data-role="assistant"][data-state="stored"] .ask-turn__text');

/** Generates one image on the Generate screen and waits for it to finish. */
export async function generateImage(
  page: Page,
  fields: { prompt: string; negative?: string; size?: number; seed?: number },
  timeout = 60_000,
): Promise<void> {
  await screen(page, 'Generate');
  await fillGenerate(page, fields);
  await generateButton(page).click();
  await expect.poll(() => preview(page).getAttribute('data-status'), { timeout }).toBe('finished');
}

/** Opens the newest gallery item and asks about it from its details. */
export async function askAboutNewestItem(page: Page): Promise<void> {
  await screen(page, 'Gallery');
  await galleryItems(page).first().click();
  await detail(page).getByRole('button', { name: 'Ask about this' }).click();
  await askMain(page).waitFor();
  await expect.poll(() => subject(page).locator('img, video').count(), { timeout: 15_000 }).toBe(1);
}

/**
 * Records, into `window.__answerLengths`, every length the answer being written has had: an answer that
 * streams goes through several before it is stored.
 */
export async function recordAnswerLengths(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __answerLengths: number[] }).__answerLengths = seen;
    new MutationObserver(() => {
      const text = document.querySelector(
        '.ask-turn[data-role="assistant"][data-state="streaming"] .ask-turn__text',
      )?.textContent;
      if (text !== undefined && text !== null && seen.at(-1) !== text.length) seen.push(text.length);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export function recordedAnswerLengths(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __answerLengths: number[] }).__answerLengths);
}

/** Asks a question in the question box with Enter and waits for its answer to be stored. */
export async function ask(page: Page, question: string, timeout = 60_000): Promise<string> {
  const before = await storedAnswers(page).count();
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByLabel('Question', { exact: true }).press('Enter');
  const failed = page.locator('.ask-turn[data-role="assistant"][data-state="failed"] .ask-turn__note');
  await expect
    .poll(
      async () => {
        // A failed answer ends the wait with its reason rather than a timeout.
        if ((await failed.count()) > 0) return `failed: ${await failed.last().textContent()}`;
        return (await storedAnswers(page).count()) === before + 1 ? 'stored' : 'waiting';
      },
      { timeout },
    )
    .toBe('stored');
  return (await storedAnswers(page).nth(before).textContent()) ?? '';
}

/** Picks a file with the Ask screen's "Choose a file…" button, as a user does in the file dialog. */
export async function chooseFile(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose a file…' }).click();
  await (await chooser).setFiles(path);
}

/** A small MP4 of a yellow square moving right on navy, made by ffmpeg. */
export function makeMovingSquare(path: string, size: number, frames: number): void {
  const square = Math.round(size * 0.375);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=navy:s=${size}x${size}:r=8,drawbox=x='t*${size / 2}':y=${Math.round(size / 4)}:w=${square}:h=${square}:c=yellow:t=fill`,
    '-frames:v',
    String(frames),
    '-pix_fmt',
    'yuv420p',
    '-y',
    path,
  ]);
}
