/** A generated MP4 plays in Chromium: H.264, yuv420p, +faststart, as `emu3 generate video` writes it. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emu3 } from './cli.js';
import { launchChromium, repoRoot } from './harness.js';

describe('generated video in Chromium', () => {
  it('loads and reports the size and duration it was written with', async () => {
    const work = mkdtempSync(join(tmpdir(), 'emu3-play-'));
    const browser = await launchChromium();
    try {
      const out = join(work, 'ring.mp4');
      const model = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');
      const made = emu3(
        [
          'generate',
          'video',
          '--model',
          model,
          '--prompt',
          'a blue ring',
          '--frames',
          '2',
          '--fps',
          '4',
          '--seed',
          '5',
          '--out',
          out,
        ],
        {
          EMU3_HOME: join(work, 'home'),
        },
      );
      expect(made.status, made.stderr).toBe(0);
      const page = await browser.newPage();
      await page.setContent(
        `<video id="v" muted src="data:video/mp4;base64,${readFileSync(out).toString('base64')}"></video>`,
      );
      const state = await page.evaluate(
        () =>
          new Promise<{
            ready: number;
            width: number;
            height: number;
            duration: number;
            error: string | null;
          }>((resolve) => {
            const video = document.getElementById('v') as HTMLVideoElement;
            const report = () =>
              resolve({
                ready: video.readyState,
                width: video.videoWidth,
                height: video.videoHeight,
                duration: video.duration,
                error: video.error?.message ?? null,
              });
            if (video.readyState >= 2 || video.error) report();
            video.onloadeddata = report;
            video.onerror = report;
          }),
      );
      expect(state.error).toBeNull();
      expect(state.ready).toBeGreaterThanOrEqual(2);
      expect([state.width, state.height]).toEqual([24, 24]);
      expect(state.duration).toBeCloseTo(8 / 4, 1);
    } finally {
      await browser.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
