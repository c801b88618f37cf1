/** `emu3 serve`: the studio in a browser, from this machine's engine. */
import { InvalidArgumentError, type Command } from 'commander';
import { createEngineService } from '../app/engine-service.js';
import { rendererBuildDir } from '../install/package-info.js';
import { startWebHost } from '../host/web-host.js';
import { modelsDir } from '../library/paths.js';
import { createOutput } from './output.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the studio on 127.0.0.1 and print its URL (with a per-launch secret)')
    .option('--port <port>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option(
      '--model <model>',
      'model to activate at start: an id (or its first 8+ digits) from the models folder, a package folder, or a checkpoint folder to import',
    )
    .option(
      '--no-default-model',
      'start with no model active (by default the model active last time, or the bundled nano model, is activated)',
    )
    .option('--json', 'print machine-readable lines')
    .action(async (options: { port: number; model?: string; defaultModel: boolean; json?: boolean }) => {
      const output = createOutput(options.json ?? false);
      const engine = createEngineService({ modelsDir: modelsDir(), provider: 'auto' });
      try {
        const model = options.model ? await engine.activateModel(options.model) : undefined;
        const host = await startWebHost({ rendererDir: rendererBuildDir(), port: options.port, engine });
        const modelLine = model
          ? `\nModel: ${model.name} (${model.precision}, ${model.id.slice(0, 12)})`
          : '';
        output.result(`Emu3 Studio is served at ${host.url}${modelLine}\nPress Ctrl+C to stop.`, {
          event: 'listening',
          url: host.url,
          origin: host.origin,
          port: host.port,
          ...(model ? { model: model.id } : {}),
        });
        const stop = () =>
          void host
            .close()
            .then(() => engine.close())
            .finally(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (!model && options.defaultModel) {
          // In the background: the page opens at once and shows the bundled model's first import as it runs.
          const activated = await engine.activateDefaultModel();
          if (activated)
            output.result(`Model: ${activated.name} (${activated.precision}, ${activated.id.slice(0, 12)})`, {
              event: 'model',
              model: activated.id,
            });
        }
      } catch (error) {
        await engine.close();
        output.fail(error);
      }
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a port number (0-65535)`);
  }
  return port;
}
