// A stand-in for `emu3 serve --json` in the supervisor's tests: a real process with a real HTTP server on
// 127.0.0.1, which prints its listening line and then crashes or exits when told to. The mode is argv[2]:
//   ok               listen; GET /crash exits with code 3; SIGTERM exits with code 0 (as `emu3 serve` does)
//   crash-at-start   write a fatal line to stderr and exit with code 7 before listening
//   garbage          print a line that is not JSON, then hang until killed
//   error            print the engine's JSON error line and exit with code 1
//   silent           print nothing and hang until killed
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'ok';
const hang = () => setInterval(() => {}, 1_000);
process.once('SIGTERM', () => process.exit(0));

if (mode === 'crash-at-start') {
  process.stderr.write('warming up\nfatal: out of memory while loading the model\n');
  process.exit(7);
} else if (mode === 'garbage') {
  process.stdout.write('Segmentation fault (core dumped)\nmore noise\n');
  hang();
} else if (mode === 'error') {
  const error = {
    name: 'EngineError',
    code: 'not_found',
    message: 'renderer build not found: /x/index.html is missing (run `npm run build`)\n    at startWebHost',
  };
  process.stdout.write(`${JSON.stringify({ error })}\n`);
  process.exitCode = 1;
} else if (mode === 'silent') {
  hang();
} else {
  const server = createServer((request, response) => {
    if (request.url === '/crash') {
      response.end('bye');
      process.stderr.write('panic: the test asked for a crash\n');
      setTimeout(() => process.exit(3), 10);
    } else response.end('ok');
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const origin = `http://127.0.0.1:${port}`;
    const url = `${origin}/#token=${randomBytes(12).toString('base64url')}`;
    process.stdout.write(`${JSON.stringify({ event: 'listening', url, origin, port })}\n`);
    process.stdout.write('a later line the supervisor ignores\n');
  });
}
