/** Page helpers for the studio's screens, so tests read as what a user does. */
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export interface StudioPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far: a test ends with this empty. */
  problems: string[];
}

export async function openStudio(browser: Browser, url: string): Promise<StudioPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

export function screen(
  page: Page,
  name: 'Home' | 'Generate' | 'Gallery' | 'Ask' | 'Models' | 'Settings',
): Promise<void> {
  return page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true }).click();
}

export const generateButton = (page: Page) => page.getByRole('button', { name: 'Generate Ctrl+Enter' });
export const preview = (page: Page) => page.getByRole('figure', { name: 'Live preview' });
export const galleryItems = (page: Page) =>
  page.getByRole('list', { name: /^(Gallery items|Trash)$/ }).getByRole('listitem');
export const detail = (page: Page) => page.getByRole('complementary', { name: 'Item details' });
export const count = (page: Page) =>
  page.getByRole('toolbar', { name: 'Gallery filters' }).locator('.gallery-toolbar__count');
export const recentJobs = (page: Page) =>
  page.getByRole('list', { name: 'Recent jobs' }).getByRole('listitem');
export const activeJobs = (page: Page) =>
  page.getByRole('list', { name: 'Active jobs' }).getByRole('listitem');

/** Starts recording the preview's `data-rows` every time it changes, into `window.__rows`. */
export async function recordPreviewRows(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __rows: string[] }).__rows = seen;
    new MutationObserver(() => {
      const figure = document.querySelector('figure[aria-label="Live preview"]');
      const value = `${figure?.getAttribute('data-status')}:${figure?.getAttribute('data-rows')}`;
      if (seen.at(-1) !== value) seen.push(value);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-rows', 'data-status'],
    });
  });
}

export function recordedPreviewRows(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __rows: string[] }).__rows);
}

/** Fills the Generate form; fields left out keep what they had. */
export async function fillGenerate(
  page: Page,
  fields: { prompt?: string; negative?: string; size?: number; seed?: number; images?: number },
): Promise<void> {
  if (fields.prompt !== undefined) await page.getByLabel('Prompt', { exact: true }).fill(fields.prompt);
  if (fields.negative !== undefined) await page.getByLabel('Negative prompt').fill(fields.negative);
  if (fields.size !== undefined) await page.getByLabel('Size (px)').fill(String(fields.size));
  if (fields.images !== undefined) await page.getByLabel('Images').fill(String(fields.images));
  if (fields.seed !== undefined) {
    const lock = page.getByRole('button', { name: 'Lock seed' });
    if ((await lock.getAttribute('aria-pressed')) !== 'true') await lock.click();
    await page.getByLabel('Seed', { exact: true }).fill(String(fields.seed));
  }
}

/** Waits for the text of `locator` to match. */
export async function expectText(locator: Locator, match: RegExp | string, timeout = 30_000): Promise<void> {
  await expect
    .poll(async () => (await locator.count()) > 0 && ((await locator.first().textContent()) ?? ''), {
      timeout,
    })
    .toMatch(match);
}

/** Dismisses every toast, so screenshots show the screen beneath. */
export async function dismissToasts(page: Page): Promise<void> {
  const buttons = page
    .getByRole('region', { name: 'Notifications' })
    .getByRole('button', { name: 'Dismiss' });
  while ((await buttons.count()) > 0) await buttons.first().click();
}
