import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, screenshotPath } from './harness.js';
import { openStudio } from './studio-page.js';
import { useStudioSession } from './studio-session.js';

describe('first screen, served by `emu3 serve`', () => {
  // Its own studio home: the engine opens a library there, which must not land in the user's. Without a
  // model: a fresh studio activates the bundled one (ask-models.e2e.ts covers that); this is the screen
  // before any model.
  const session = useStudioSession({ homePrefix: 'emu3-home-', serve: ['--no-default-model'] });

  it('opens with the engine connected, and takes the secret out of the address bar', async () => {
    const { page, problems } = session;
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
    const { page } = await openStudio(session.browser, session.studio.origin);
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
  const model = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');
  const session = useStudioSession({ homePrefix: 'emu3-home-', serve: ['--model', model] });

  it('shows the active model', async () => {
    const { page } = session;
    // With a model the studio opens on Generate; Home has the model's card.
    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Home' }).click();
    const card = page.getByRole('region', { name: 'Model' });
    await expect.poll(() => card.textContent()).toContain('Precisionfp32');
    expect(await card.textContent()).toContain('2 layers, hidden 64, vocabulary 571');
    await page.screenshot({ path: screenshotPath('first-screen-with-model') });
  });
});
