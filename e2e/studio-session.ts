/**
 * One studio for a describe block, as a user has it: `emu3 serve` on a studio home of its own (a temporary
 * EMU3_HOME, so nothing lands in the user's), Chromium, and a page open on the studio. Registering the hooks
 * here keeps every e2e file's setup and teardown the same; the tests keep their own assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, serveStudio, type ServedStudio } from './harness.js';
import { openStudio, type StudioPage } from './studio-page.js';

export interface StudioSessionOptions {
  /** How the temporary studio home's name starts, such as 'emu3-ask-e2e-'. */
  homePrefix: string;
  /** Arguments for `emu3 serve`, such as `['--model', folder]`; none: the bundled model, imported on a first start. */
  serve?: readonly string[];
  /**
   * Waits for the Generate screen before the tests start, where none of them looks at the first start. The
   * first start imports a model it is given (or the bundled one) before the studio opens on Generate.
   */
  waitForGenerate?: boolean;
  /** Time for all of that, where a model to import makes it longer than e2e/vitest.config.ts's hookTimeout. */
  timeout?: number;
}

export interface StudioSession extends StudioPage {
  /** The studio home (EMU3_HOME); tests also write the files they open or drop there. */
  readonly home: string;
  readonly studio: ServedStudio;
  readonly browser: Browser;
  /** Closes the page, stops `emu3 serve` and starts it again on the same home, with a new page open on it. */
  restart(): Promise<Page>;
}

/** Registers the describe block's hooks; what they start is read through the returned session, in tests. */
export function useStudioSession(options: StudioSessionOptions): StudioSession {
  const args = options.serve ?? [];
  let home: string | undefined;
  let studio: ServedStudio | undefined;
  let browser: Browser | undefined;
  let opened: StudioPage | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the studio session starts in beforeAll: use it inside a test');
    return value;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), options.homePrefix));
    studio = await serveStudio(args, { EMU3_HOME: home });
    browser = await launchChromium();
    opened = await openStudio(browser, studio.url);
    if (options.waitForGenerate)
      await opened.page
        .getByRole('heading', { name: 'Generate', exact: true })
        .waitFor({ state: 'attached' });
  }, options.timeout);

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  return {
    get home() {
      return started(home);
    },
    get studio() {
      return started(studio);
    },
    get browser() {
      return started(browser);
    },
    get page() {
      return started(opened).page;
    },
    get problems() {
      return started(opened).problems;
    },
    async restart() {
      await started(opened).page.close();
      await started(studio).stop();
      studio = await serveStudio(args, { EMU3_HOME: started(home) });
      opened = await openStudio(started(browser), studio.url);
      return opened.page;
    },
  };
}
