#!/usr/bin/env node
// The `emu3` binary: runs the compiled CLI from dist/ (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';

const cli = new URL('../../dist/engine/src/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'emu3: the engine is not built: dist/engine/src/cli/main.js is missing (run `npm run build`)\n',
  );
  process.exit(1);
}
await import(cli.href);
