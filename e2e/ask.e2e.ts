/**
 * Ask end to end: the real `emu3 serve`, a real library on disk and real models, driven in Chromium.
 * The tiny fixture model answers gibberish quickly, which is enough to see an answer stream in, be kept
 * with its item and come back after a reload, and to ask about an uploaded video. The bundled nano model,
 * activated by default on a fresh start, answers for real (weakly) and is what the screenshot shows.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ask,
  askAboutNewestItem,
  askMain,
  chooseFile,
  generateImage,
  makeMovingSquare,
  messages,
  recordAnswerLengths,
  recordedAnswerLengths,
  storedAnswers,
  subject,
} from './ask-page.js';
import { repoRoot, screenshotPath } from './harness.js';
import { dismissToasts, expectText, screen } from './studio-page.js';
import { useStudioSession } from './studio-session.js';

const TINY = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');

describe('Ask with the tiny model', () => {
  const session = useStudioSession({ homePrefix: 'emu3-ask-e2e-', serve: ['--model', TINY] });

  it('asks about a gallery image: the answer streams in and is kept with the item after a reload', async () => {
    const { page } = session;
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
    // A short negative prompt: the tiny model has 256 positions in all.
    await generateImage(page, { prompt: 'a blue cube', negative: 'blurry', size: 48, seed: 3 });
    await askAboutNewestItem(page);
    await expectText(subject(page).locator('figcaption'), /Item #1 · image\s*a blue cube/);

    await recordAnswerLengths(page);
    const answer = await ask(page, 'What is this?');
    const lengths = await recordedAnswerLengths(page);
    // Token by token: the answer on screen grew through several lengths before it was stored.
    expect(lengths.filter((n) => n > 0).length, JSON.stringify(lengths)).toBeGreaterThan(1);
    expect(answer.length).toBeGreaterThan(0);
    expect(await messages(page).count()).toBe(2);

    await page.reload();
    await askAboutNewestItem(page);
    await expect.poll(() => storedAnswers(page).count()).toBe(1);
    expect(await storedAnswers(page).first().textContent()).toBe(answer);
    await expectText(messages(page).first(), 'What is this?');
    expect(session.problems).toEqual([]);
  });

  it('asks about a video file the user picks', async () => {
    const { page } = session;
    const video = join(session.home, 'moving square.mp4');
    makeMovingSquare(video, 32, 8);
    await screen(page, 'Ask');
    await chooseFile(page, video);
    await expect.poll(() => subject(page).locator('video').count(), { timeout: 15_000 }).toBe(1);
    await expectText(subject(page).locator('figcaption'), /Uploaded file · video\s*moving square\.mp4/);
    const answer = await ask(page, 'Where does the square go?');
    expect(answer.length).toBeGreaterThan(0);
    const files = askMain(page).getByRole('list', { name: 'Uploaded files' }).getByRole('button');
    await expectText(files.first(), /video\s*moving square\.mp4/);

    // Opening the picture again and coming back: the video's conversation is its own.
    await askMain(page)
      .getByRole('button', { name: /^Item #1: / })
      .click();
    await expect.poll(() => storedAnswers(page).count()).toBe(1);
    await files.first().click();
    await expect.poll(() => subject(page).locator('video').count()).toBe(1);
    await expectText(messages(page).first(), 'Where does the square go?');
    expect(session.problems).toEqual([]);
  });
});

describe('Ask with the bundled nano model (the default on a fresh start)', () => {
  const session = useStudioSession({ homePrefix: 'emu3-ask-nano-' });

  it('answers a question about a picture it made', async () => {
    const { page, problems } = session;
    // The first start imports the bundled model, then opens on Generate.
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({
      state: 'attached',
      timeout: 60_000,
    });
    await generateImage(page, { prompt: 'a red circle', seed: 11 });
    await askAboutNewestItem(page);
    const answer = await ask(page, 'What color is the circle?');
    expect(answer.trim()).not.toBe('');
    await ask(page, 'What shape is it?');
    await page.getByLabel('Question', { exact: true }).fill('Is it on the left or the right?');
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('ask') });
    expect(problems).toEqual([]);
  }, 120_000);
});
