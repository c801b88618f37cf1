/**
 * What a benchmark report says about the machine it ran on (CPU, memory, ONNX Runtime, GPU, Vulkan driver),
 * and the GPU's memory sampled while jobs run (nvidia-smi, where there is one).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export function commandOutput(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function describeMachine(): Record<string, unknown> {
  const lscpu = commandOutput('lscpu', []);
  const field = (name: string) =>
    lscpu
      ?.split('\n')
      .find((line) => line.startsWith(`${name}:`))
      ?.split(':')[1]
      ?.trim();
  const require = createRequire(import.meta.url);
  const ortPackage = require('onnxruntime-node/package.json') as { version: string };
  const gpu = commandOutput('nvidia-smi', [
    '--query-gpu=name,driver_version,memory.total',
    '--format=csv,noheader',
  ]);
  const icd = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  let vulkanIcd: unknown = null;
  if (icd && existsSync(icd.split(':')[0]!)) {
    try {
      vulkanIcd = JSON.parse(readFileSync(icd.split(':')[0]!, 'utf8'));
    } catch {
      vulkanIcd = icd;
    }
  }
  return {
    cpuModel: field('Model name') ?? cpus()[0]?.model ?? 'unknown',
    cpuFlagsAvx512: /avx512f/.test(field('Flags') ?? ''),
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    onnxruntimeNode: ortPackage.version,
    gpu: gpu ? gpu.split('\n') : null,
    vulkanIcd,
  };
}

export class GpuMemoryPoller {
  private process: ChildProcess | null = null;
  private peak = 0;
  baselineMiB: number | null = null;

  start(): void {
    const baseline = commandOutput('nvidia-smi', [
      '--query-gpu=memory.used',
      '--format=csv,noheader,nounits',
    ]);
    if (baseline === null) return;
    this.baselineMiB = Number(baseline.split('\n')[0]);
    const child = spawn(
      'nvidia-smi',
      ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '200'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        const value = Number(line.trim());
        if (line.trim() && Number.isFinite(value)) this.peak = Math.max(this.peak, value);
      }
    });
    child.on('error', () => (this.process = null));
    this.process = child;
  }

  /** Peak since the last call (MiB), or undefined without nvidia-smi. */
  takePeak(): number | undefined {
    if (!this.process) return undefined;
    const peak = this.peak;
    this.peak = 0;
    return peak;
  }

  stop(): void {
    this.process?.kill();
  }
}
