import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stopChild, waitForLine } from './harness.js';

describe('npm start without an Electron binary', () => {
  it('says so in one line and serves the studio through the web host', async () => {
    // No display: the launcher cannot open a window, exactly as on CI and on a headless box.
    // Its own studio home, so the engine's library does not land in the user's.
    const home = mkdtempSync(join(tmpdir(), 'emu3-home-'));
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', EMU3_HOME: home };
    const child = spawn(process.execPath, [join(repoRoot, 'build/start.js')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: string[] = [];
      const url = await waitForLine(child, (line) => {
        lines.push(line);
        return /^Emu3 Studio is served at (\S+)$/.exec(line)?.[1];
      });
      expect(lines[0]).toMatch(
        /^Electron is unavailable: no display .*; serving the studio through the web host instead\.$/,
      );
      const { origin } = new URL(url);
      const health = await fetch(`${origin}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
    } finally {
      await stopChild(child);
      rmSync(home, { recursive: true, force: true });
    }
  });
});
