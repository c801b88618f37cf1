import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, repoRoot, screenshotPath, serveStudio, type ServedStudio } from './harness.js';

describe('first screen, served by `emu3 serve`', () => {
  let home: string;
  let studio: ServedStudio;
  let browser: Browser;

  beforeAll(async () => {
    // Its own studio home: the engine opens a library there, which must not land in the user's. Without a
    // model: a fresh studio activates the bundled one (ask-models.e2e.ts covers that); this is the screen
    // before any model.
    home = mkdtempSync(join(tmpdir(), 'emu3-home-'));
    studio = await serveStudio(['--no-default-model'], { EMU3_HOME: home });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  /** A page that records console errors and CSP violations, which must stay empty. */
  async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    return { page, problems };
  }

  it('opens with the engine connected, and takes the secret out of the address bar', async () => {
    const { page, problems } = await openPage(studio.url);
    await page.getByRole('heading', { name: 'Welcome to Emu3 Studio' }).waitFor();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toMatch(/^Engine \d+\.\d+\.\d+ · linux x64$/);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    await expect.poll(() => page.locator('#model-heading + p').textContent()).toMatch(/^No model is loaded/);

    // A reload keeps working: the secret stays for this tab.
    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Engine /);

    await page.screenshot({ path: screenshotPath('first-screen') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tells a page opened without the secret what to do, and offers a retry', async () => {
    const { page } = await openPage(studio.origin);
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('open the link that `emu3 serve` printed');
    const retry = page.getByRole('button', { name: 'Retry' });
    await retry.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status.textContent()).toContain('open the link that `emu3 serve` printed');
    await page.close();
  });
});

describe('first screen with a model, served by `emu3 serve --model`', () => {
  it('shows the active model', async () => {
    const home = mkdtempSync(join(tmpdir(), 'emu3-home-'));
    const model = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');
    const studio = await serveStudio(['--model', model], { EMU3_HOME: home });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(studio.url);
      // With a model the studio opens on Generate; Home has the model's card.
      await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Home' }).click();
      const card = page.getByRole('region', { name: 'Model' });
      await expect.poll(() => card.textContent()).toContain('Precisionfp32');
      expect(await card.textContent()).toContain('2 layers, hidden 64, vocabulary 571');
      await page.screenshot({ path: screenshotPath('first-screen-with-model') });
    } finally {
      await browser.close();
      await studio.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
