/**
 * The Generate and Gallery screens end to end: the real `emu3 serve` with the bundled nano model, a real
 * library on disk (EMU3_HOME), driven in Chromium. The steps build on each other, as a user's session does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, screenshotPath } from './harness.js';
import {
  activeJobs,
  count,
  detail,
  dismissToasts,
  expectText,
  fillGenerate,
  galleryItems,
  generateButton,
  preview,
  recentJobs,
  recordedPreviewRows,
  recordPreviewRows,
  screen,
} from './studio-page.js';
import { useStudioSession } from './studio-session.js';

const NANO = join(repoRoot, 'models/nano');
/** 128 px at the nano model's spatial factor of 8: a 16×16 token grid, 275 tokens with the row ends. */
const SIZE = 128;
const PROMPT = 'a red circle left of a brown square';

describe('Generate and Gallery', () => {
  // The first start imports the nano checkpoint into this library.
  const session = useStudioSession({
    homePrefix: 'emu3-studio-e2e-',
    serve: ['--model', NANO],
    waitForGenerate: true,
    timeout: 240_000,
  });

  it('opens on Generate, names a missing prompt, and shows the shortcut sheet', async () => {
    const { page } = session;
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
    await expect.poll(() => page.getByLabel('Size (px)').inputValue()).toBe('128');
    await generateButton(page).click();
    await expectText(page.locator('.field__error'), 'Write a prompt first.');

    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expectText(sheet, /Ctrl\+Enter.*Generate with the current settings/);
    await page.screenshot({ path: screenshotPath('shortcuts') });
    await page.keyboard.press('Escape');
    await expect.poll(() => sheet.count()).toBe(0);
  });

  it('generates an image and watches the preview fill in row by row', async () => {
    const { page } = session;
    await fillGenerate(page, { prompt: PROMPT, negative: 'blurry', size: SIZE, seed: 7 });
    await recordPreviewRows(page);
    await page.getByLabel('Prompt', { exact: true }).focus();
    await page.keyboard.press('Control+Enter');

    await expect.poll(() => preview(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('finished');
    const seen = await recordedPreviewRows(page);
    const rows = seen.map((entry) => Number(entry.split(':')[1]));
    // Partial rows came before the whole image, and never went backwards.
    expect(
      seen.some((entry) => /^running:([1-9]|1[0-5])$/.test(entry)),
      seen.join(' '),
    ).toBe(true);
    expect(seen.at(-1)).toBe('finished:16');
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    await expectText(page.locator('.preview__caption'), `“${PROMPT}” · 128×128 · seed 7`);
    await expectText(recentJobs(page), /seed 7/);
  });

  it('finds it in the gallery with every parameter', async () => {
    const { page } = session;
    await screen(page, 'Gallery');
    await expectText(count(page), '1 item');
    await galleryItems(page).first().getByRole('button').click();
    const panel = detail(page);
    await expectText(panel, new RegExp(`Prompt${PROMPT}`));
    const text = (await panel.textContent()) ?? '';
    for (const fact of ['Negative promptblurry', 'Size128×128 px', 'Ratio1:1', 'Grid16×16 tokens', 'Seed7'])
      expect(text).toContain(fact);
    expect(text).toMatch(/Tokens275 generated, \d+ in the prompt/);
    expect(text).toMatch(/Model.* · fp32 · [0-9a-f]{12}…/);
  });

  it('stars with S, searches, filters, and deletes with Delete, undo and the trash', async () => {
    const { page } = session;
    await page.keyboard.press('s');
    await expectText(detail(page).getByRole('button', { name: /Star/ }), 'Starred');
    await expect
      .poll(() => galleryItems(page).first().getByRole('button').getAttribute('aria-label'))
      .toBe(`${PROMPT} (starred)`);

    const search = page.getByRole('searchbox', { name: 'Search prompts' });
    await search.fill('BROWN squ');
    await expectText(count(page), '1 item');
    await search.fill('zebra');
    await expectText(page.locator('.gallery-empty'), 'No items match.');
    await search.fill('');
    await page.getByRole('checkbox', { name: 'Starred only' }).check();
    await expectText(count(page), '1 item');
    await page.getByRole('checkbox', { name: 'Starred only' }).uncheck();
    await expectText(count(page), '1 item');

    await galleryItems(page).first().getByRole('button').click();
    await page.keyboard.press('Delete');
    await expectText(count(page), '0 items');
    const toast = page.getByRole('region', { name: 'Notifications' });
    await expectText(toast, `Moved “${PROMPT}” to the trash.`);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await expectText(count(page), '1 item');

    await galleryItems(page).first().getByRole('button').click();
    await detail(page).getByRole('button', { name: 'Move to trash' }).click();
    await expectText(count(page), '0 items');
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Trash' }).click();
    await expectText(count(page), '1 item');
    await galleryItems(page).first().getByRole('button').click();
    await detail(page).getByRole('button', { name: 'Restore' }).click();
    await expectText(count(page), '0 items');
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Gallery' }).click();
    await expectText(count(page), '1 item');
  });

  it('regenerates exactly and says the result is identical', async () => {
    const { page } = session;
    await galleryItems(page).first().getByRole('button').click();
    await detail(page).getByRole('button', { name: 'Regenerate exactly' }).click();
    await expectText(detail(page).locator('.verdict'), 'Identical: all 275 tokens match');
  });

  it('takes the settings of an item back to Generate, seed locked', async () => {
    const { page } = session;
    await detail(page).getByRole('button', { name: 'Use these settings' }).click();
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
    expect(await page.getByLabel('Prompt', { exact: true }).inputValue()).toBe(PROMPT);
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('7');
    expect(await page.getByLabel('Size (px)').inputValue()).toBe(String(SIZE));
    expect(await page.getByRole('button', { name: 'Lock seed' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('cancels the running job with Esc, and a queued one with its button', async () => {
    const { page } = session;
    await fillGenerate(page, { prompt: 'a photo of a blue star', images: 4 });
    await page.getByRole('button', { name: 'Lock seed' }).click(); // unlocked: a random seed each
    await generateButton(page).click();
    // A job may end before Esc reaches the engine; then the next one is running, and Esc is pressed again.
    const cancelled = recentJobs(page).filter({ hasText: 'Cancelled' });
    for (let attempt = 0; attempt < 6 && (await cancelled.count()) === 0; attempt++) {
      await page.getByRole('progressbar').first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);
    }
    expect(await cancelled.count()).toBeGreaterThan(0);
    // A queued job: paused first, so it is still waiting when its Cancel button is pressed.
    await page.getByRole('button', { name: 'Pause queue' }).click();
    const waiting = activeJobs(page).filter({ hasText: 'Queued' });
    await expect.poll(() => page.getByRole('button', { name: 'Resume queue' }).count()).toBe(1);
    if ((await waiting.count()) > 0) {
      const before = await cancelled.count();
      await waiting
        .last()
        .getByRole('button', { name: /^Cancel/ })
        .click();
      await expect.poll(() => cancelled.count()).toBe(before + 1);
    }
    await page.getByRole('button', { name: 'Resume queue' }).click();
    await expect.poll(() => activeJobs(page).count(), { timeout: 30_000 }).toBe(0);
  });

  it('shows the items in the gallery and one in detail', async () => {
    const { page } = session;
    await screen(page, 'Gallery');
    await expectText(count(page), /^\d+ items$/);
    // The first image, and the stars that were not cancelled.
    expect(Number((await count(page).textContent())!.split(' ')[0])).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Escape');
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('gallery') });
    // The circle and square are the oldest, so the last; the arrow keys walk there from the one before it.
    const items = await galleryItems(page).count();
    await galleryItems(page)
      .nth(items - 2)
      .getByRole('button')
      .click();
    await page.keyboard.press('ArrowRight');
    await expectText(detail(page), new RegExp(`Prompt${PROMPT}`));
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('gallery-detail') });
    expect(session.problems).toEqual([]);
  });

  it('restarts on the same library and finds everything again, queued jobs included', async () => {
    let { page } = session;
    await screen(page, 'Generate');
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await fillGenerate(page, { prompt: 'a photo of a green triangle', images: 2 });
    await generateButton(page).click();
    await expect.poll(() => activeJobs(page).filter({ hasText: 'Queued' }).count()).toBe(2);
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('generate') });
    await screen(page, 'Gallery');
    const before = Number((await count(page).textContent())!.split(' ')[0]);

    page = await session.restart();
    await screen(page, 'Gallery');
    // The two queued jobs ran after the restart and joined the gallery.
    await expectText(count(page), `${before + 2} items`);
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('brown');
    await expectText(count(page), '1 item');
    expect(await galleryItems(page).first().getByRole('button').getAttribute('aria-label')).toBe(
      `${PROMPT} (starred)`,
    );
    await page.getByRole('searchbox', { name: 'Search prompts' }).fill('triangle');
    await expectText(count(page), '2 items');
    expect(session.problems).toEqual([]);
  });
});
