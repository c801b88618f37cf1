/**
 * Models and Settings end to end: a fresh studio (its own EMU3_HOME) imports and activates the bundled nano
 * model by itself; a broken checkpoint fails in one line and leaves nothing; a good one imports with
 * progress and is activated; settings and the active model survive a restart of the host.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, repoRoot, screenshotPath, serveStudio, type ServedStudio } from './harness.js';
import { dismissToasts, expectText, openStudio, screen, type StudioPage } from './studio-page.js';

const TINY_HF = join(repoRoot, 'models/reference/fixtures/tiny/hf');

const card = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Models' })
    .getByRole('listitem')
    .filter({
      has: page.getByRole('heading', { name, exact: true }),
    });
const outcome = (page: Page) => page.locator('.import-outcome');

/** Records every value the import progress bar shows, into `window.__progress`. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __progress: number[] }).__progress = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"]');
      const value = bar ? Number(bar.getAttribute('aria-valuenow')) : null;
      if (value !== null && seen.at(-1) !== value) seen.push(value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

async function importFolder(page: Page, path: string, precision: string, activate: boolean) {
  await page.getByLabel('Checkpoint folder').fill(path);
  await page.getByLabel('Precision').selectOption(precision);
  const box = page.getByLabel('Make it the active model when imported');
  if ((await box.isChecked()) !== activate) await box.click();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

describe('Models and Settings', () => {
  let home: string;
  let work: string;
  let studio: ServedStudio;
  let browser: Browser;
  let session: StudioPage;
  let page: Page;
  const packages = () => readdirSync(join(home, 'models')).filter((name) => !name.startsWith('.'));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'emu3-models-e2e-'));
    work = mkdtempSync(join(tmpdir(), 'emu3-checkpoints-'));
    studio = await serveStudio([], { EMU3_HOME: home });
    browser = await launchChromium();
    session = await openStudio(browser, studio.url);
    page = session.page;
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('imports the bundled model on the first start and shows it active, with its hashes', async () => {
    // Home shows the import's progress while it runs, when the page opened before it ended (not kept in docs/).
    if ((await page.getByRole('region', { name: 'Model' }).getByRole('progressbar').count()) > 0)
      await page.screenshot({ path: join(repoRoot, 'e2e/.artifacts/first-start-import.png') });
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({
      state: 'attached',
      timeout: 60_000,
    });
    await screen(page, 'Models');
    const nano = card(page, 'nano');
    await expectText(nano, /Bundled.*Active/);
    await expectText(nano, /Precisionfp32/);
    await nano.getByText('Files and hashes').click();
    const files = nano.getByRole('table').first();
    await expectText(files, /decoder\.onnx.*[0-9a-f]{64}/);
    expect(await nano.getByRole('button', { name: /^Copy SHA-256 of decoder\.onnx$/ }).count()).toBe(1);
    expect(packages()).toHaveLength(1);
  });

  it('says in one line why a broken checkpoint cannot be imported, and keeps nothing of it', async () => {
    const broken = join(work, 'broken');
    cpSync(TINY_HF, broken, { recursive: true });
    const shard = join(broken, 'model-00001-of-00018.safetensors');
    truncateSync(shard, Math.floor(statSync(shard).size / 2));
    await importFolder(page, broken, 'auto', true);
    await expectText(
      outcome(page),
      /^Import of broken failed: model-00001-of-00018\.safetensors: truncated: /,
    );
    expect(await outcome(page).getAttribute('role')).toBe('alert');
    expect((await outcome(page).textContent())!.includes('\n')).toBe(false);
    expect(packages()).toHaveLength(1);
    expect(await page.getByRole('list', { name: 'Models' }).getByRole('listitem').count()).toBe(1);
  });

  it('imports a good checkpoint with progress, and activates it', async () => {
    const good = join(work, 'tiny-hf');
    cpSync(TINY_HF, good, { recursive: true });
    await recordProgress(page);
    await importFolder(page, good, 'fp32', false);
    await expectText(outcome(page), 'Imported: tiny-hf.');
    const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    expect(
      progress.some((value) => value > 0 && value < 100),
      JSON.stringify(progress),
    ).toBe(true);
    const tiny = card(page, 'tiny-hf');
    await expectText(tiny, /Precisionfp32/);
    expect(packages()).toHaveLength(2);

    await tiny.getByRole('button', { name: 'Activate tiny-hf' }).click();
    await expectText(tiny, /Active/);
    await expect
      .poll(() => card(page, 'nano').getByRole('button', { name: 'Activate nano' }).count())
      .toBe(1);
    expect(session.problems).toEqual([]);
  });

  it('keeps the provider, the threads and the active model across a restart of the host', async () => {
    await screen(page, 'Settings');
    const running = page.getByRole('region', { name: 'What runs now' });
    await expectText(running, /The active model runs on (CPU|WebGPU|CUDA)/);
    await page.getByRole('radio', { name: /^CPU/ }).check();
    await page.getByLabel('CPU threads').fill('1');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectText(running, 'The active model runs on CPU.');

    await studio.stop();
    studio = await serveStudio([], { EMU3_HOME: home });
    await page.goto(studio.url);
    // The page saw the old host go away before it was pointed at the new one: not a problem of the studio.
    session.problems.splice(0);
    await screen(page, 'Settings');
    await expect.poll(() => page.getByRole('radio', { name: /^CPU/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('CPU threads').inputValue()).toBe('1');
    await screen(page, 'Models');
    // The model active last time, not the bundled default.
    await expectText(card(page, 'tiny-hf'), /Active/);
  });

  it('takes screenshots of Models and Settings with the nano model active', async () => {
    await card(page, 'nano').getByRole('button', { name: 'Activate nano' }).click();
    await expectText(card(page, 'nano'), /Bundled.*Active/);
    await page.getByLabel('Checkpoint folder').fill('/home/me/models/Emu3-Gen-hf');
    await dismissToasts(page);
    await page.screenshot({ path: screenshotPath('models') });
    await card(page, 'nano').getByText('Files and hashes').click();
    await page.screenshot({ path: screenshotPath('models-hashes') });

    await screen(page, 'Settings');
    await page.getByRole('radio', { name: /^Automatic/ }).check();
    await page.getByLabel('CPU threads').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    const running = page.getByRole('region', { name: 'What runs now' });
    await expectText(running, /chosen automatically/);
    const moved = join(home, 'moved-library');
    await page.getByLabel('Move the library to').fill(moved);
    await page.getByRole('button', { name: 'Use after restart' }).click();
    await expectText(page.locator('.settings-pending'), /From the next start the library is .*moved-library/);
    expect(existsSync(moved)).toBe(true);
    await dismissToasts(page);
    await page.getByRole('main', { name: 'Settings' }).evaluate((main) => main.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('settings') });
    expect(session.problems).toEqual([]);
  });
});
