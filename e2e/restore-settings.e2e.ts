/**
 * Settings back from a PNG, end to end with the bundled nano model: an image exported from the gallery's
 * detail view as PNG carries its generation record (WebP and JPEG copies do not); that PNG dropped on the
 * window fills the Generate form again, seed locked; a PNG without a record, a damaged PNG and a file that
 * is no PNG each end in one error line and change nothing; on Ask, a dropped PNG is still a file to ask about.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readPngRecord } from '../engine/src/media/png-record.js';
import { generateImage } from './ask-page.js';
import { repoRoot, screenshotPath } from './harness.js';
import { detail, dismissToasts, expectText, fillGenerate, galleryItems, screen } from './studio-page.js';
import { useStudioSession } from './studio-session.js';

const NANO = join(repoRoot, 'models/nano');
const PROMPT = 'a red circle';
const SEED = 11;

const notifications = (page: Page) => page.getByRole('region', { name: 'Notifications' });
const promptField = (page: Page) => page.getByLabel('Prompt', { exact: true });
const seedField = (page: Page) => page.getByLabel('Seed', { exact: true });

/** Drops a file made of `bytes` on the screen showing, as the browser does for a file from the desktop. */
async function dropFile(page: Page, bytes: Buffer, name: string, type: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ data, name, type }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type }));
      return transfer;
    },
    { data: [...bytes], name, type },
  );
  await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}

describe('Settings from a PNG (nano model)', () => {
  // The first start imports the nano checkpoint into this library.
  const session = useStudioSession({
    homePrefix: 'emu3-restore-e2e-',
    serve: ['--model', NANO],
    waitForGenerate: true,
    timeout: 240_000,
  });
  /** The PNG downloaded through the detail view's Export link. */
  let exported: Buffer;

  it(
    'exports an image as PNG with its record, and as WebP and JPEG without it',
    { timeout: 120_000 },
    async () => {
      const { page } = session;
      await generateImage(page, { prompt: PROMPT, seed: SEED }, 90_000);
      await screen(page, 'Gallery');
      await galleryItems(page).first().getByRole('button').click();
      await expectText(detail(page).locator('.item-detail__prompt').first(), PROMPT);
      const links = detail(page).getByRole('group', { name: 'Export' }).getByRole('link');
      await expect.poll(() => links.allTextContents()).toEqual(['PNG', 'WebP', 'JPEG']);
      const titles = await links.evaluateAll((all) => all.map((a) => a.getAttribute('title') ?? ''));
      expect(titles[0]).toMatch(/generation record inside/);
      expect(titles.slice(1)).toEqual([
        'A WebP copy, without the generation record',
        'A JPEG copy, without the generation record',
      ]);
      await dismissToasts(page);
      await page.screenshot({ path: screenshotPath('gallery-export') });

      const [download] = await Promise.all([page.waitForEvent('download'), links.first().click()]);
      expect(download.suggestedFilename()).toBe(`emu3-1-${SEED}.png`);
      const saved = join(session.home, 'exported.png');
      await download.saveAs(saved);
      exported = readFileSync(saved);
      expect(await readPngRecord(saved)).toMatchObject({ prompt: PROMPT, seed: SEED, mode: 'image' });

      const copies = await page.evaluate(
        async (hrefs: string[]) =>
          Promise.all(
            hrefs.map(async (href) => {
              const response = await fetch(href);
              const bytes = new Uint8Array(await response.arrayBuffer());
              return {
                type: response.headers.get('content-type'),
                disposition: response.headers.get('content-disposition'),
                text: new TextDecoder('latin1').decode(bytes),
              };
            }),
          ),
        await links.evaluateAll((all) => all.slice(1).map((a) => (a as HTMLAnchorElement).href)),
      );
      expect(copies.map((c) => [c.type, c.disposition])).toEqual([
        ['image/webp', `attachment; filename="emu3-1-${SEED}.webp"`],
        ['image/jpeg', `attachment; filename="emu3-1-${SEED}.jpg"`],
      ]);
      expect(copies[0]!.text.slice(8, 12)).toBe('WEBP');
      expect(copies[1]!.text.charCodeAt(0)).toBe(0xff);
      for (const copy of copies) expect(copy.text).not.toContain('emu3-studio');
    },
  );

  it('fills the Generate form from that PNG dropped on the window, seed locked', async () => {
    const { page } = session;
    await screen(page, 'Generate');
    await fillGenerate(page, { prompt: 'a blue square', seed: 5 });
    await screen(page, 'Gallery');
    await dropFile(page, exported, `emu3-1-${SEED}.png`, 'image/png');

    await page.getByRole('heading', { name: 'Generate', exact: true }).waitFor({ state: 'attached' });
    await expect.poll(() => promptField(page).inputValue()).toBe(PROMPT);
    expect(await seedField(page).inputValue()).toBe(String(SEED));
    expect(await page.getByRole('button', { name: 'Lock seed' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('Size (px)').inputValue()).toBe('128');
    await expectText(
      notifications(page),
      `Settings restored from emu3-1-${SEED}.png: image “${PROMPT}”, seed ${SEED} locked.`,
    );
    await page.screenshot({ path: screenshotPath('restore-settings') });
    await dismissToasts(page);

    // The same from the form's own button, for a user who would rather pick the file.
    await fillGenerate(page, { prompt: 'a blue square', seed: 5 });
    await page.getByRole('button', { name: 'Settings from a PNG…' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(repoRoot, 'e2e/.artifacts/restore-settings-button.png') });
    await page
      .getByLabel('PNG to restore settings from')
      .setInputFiles({ name: 'picked.png', mimeType: 'image/png', buffer: exported });
    await expect.poll(() => promptField(page).inputValue()).toBe(PROMPT);
    expect(await seedField(page).inputValue()).toBe(String(SEED));
    await dismissToasts(page);
  });

  it('refuses a PNG without a record, a damaged PNG and a text file in one line each', async () => {
    const { page } = session;
    const plain = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    // The exported PNG with one byte of its record flipped: its chunk's CRC no longer matches.
    const damaged = Buffer.from(exported);
    const at = damaged.indexOf('iTXt') + 20;
    damaged[at] = damaged[at]! ^ 0xff;
    const cases: [Buffer, string, string, RegExp][] = [
      [
        plain,
        'plain.png',
        'image/png',
        /^Restore settings: plain\.png: this PNG holds no Emu3 Studio settings/,
      ],
      [damaged, 'damaged.png', 'image/png', /^Restore settings: damaged\.png: damaged PNG \(CRC mismatch/],
      [
        Buffer.from('not a picture'),
        'notes.txt',
        'text/plain',
        /^Restore settings: notes\.txt: text\/plain is not a PNG/,
      ],
    ];
    for (const [bytes, name, type, message] of cases) {
      await fillGenerate(page, { prompt: 'a green triangle', seed: 3 });
      await dropFile(page, bytes, name, type);
      const toast = notifications(page).locator('.toast[data-tone="error"] .toast__message');
      await expectText(toast, message);
      expect(await toast.count()).toBe(1);
      expect((await toast.textContent())!.split('\n')).toHaveLength(1);
      expect(await promptField(page).inputValue()).toBe('a green triangle');
      expect(await seedField(page).inputValue()).toBe('3');
      await dismissToasts(page);
    }
  });

  it('leaves a PNG dropped on Ask to Ask: a file to ask about, the form untouched', async () => {
    const { page } = session;
    await screen(page, 'Ask');
    await dropFile(page, exported, 'asked.png', 'image/png');
    const subject = page.getByRole('region', { name: 'Subject' });
    await expectText(subject.locator('figcaption'), /Uploaded file · image\s*asked\.png/);
    expect(await page.getByRole('heading', { name: 'Ask', exact: true }).count()).toBe(1);
    await screen(page, 'Generate');
    expect(await promptField(page).inputValue()).toBe('a green triangle');
    expect(session.problems).toEqual([]);
  });
});
