/**
 * Which ONNX Runtime execution provider runs a model. `auto` tries the GPU paths this platform has and
 * falls back to the CPU; every provider that could not start is reported with a one-line reason, so the
 * user learns why a run is on the CPU.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const ProviderChoice = z.enum(['auto', 'webgpu', 'cuda', 'dml', 'cpu']);
export type ProviderChoice = z.infer<typeof ProviderChoice>;
export type Provider = Exclude<ProviderChoice, 'auto'>;

export interface ProviderFallback {
  provider: Provider;
  reason: string;
}

/** The providers to try, best first; the CPU always ends the list. */
export function providerCandidates(choice: ProviderChoice, platform = process.platform): Provider[] {
  if (choice === 'cpu') return ['cpu'];
  if (choice !== 'auto') return [choice, 'cpu'];
  switch (platform) {
    case 'win32':
      return ['dml', 'webgpu', 'cpu'];
    case 'linux':
      return ['cuda', 'webgpu', 'cpu'];
    default:
      return ['webgpu', 'cpu'];
  }
}

/** A reason not to even try a provider, or null when it is worth a try. */
export function providerPrecheck(provider: Provider, platform = process.platform): string | null {
  if (provider === 'dml' && platform !== 'win32') return 'DirectML exists on Windows only';
  if (provider === 'cuda') {
    if (platform !== 'linux' && platform !== 'win32') return 'CUDA is not available on this platform';
    if (platform === 'linux' && !existsSync(join(ortBinaryDir(), 'libonnxruntime_providers_cuda.so'))) {
      return 'the CUDA files of onnxruntime-node are not installed (npm ci --onnxruntime-node-install=cuda12)';
    }
  }
  if (provider === 'webgpu' && platform === 'linux') {
    // Without a GPU device node there is nothing for Vulkan to find, and trying prints native warnings.
    if (!existsSync('/dev/dri') && !existsSync('/dev/nvidia0'))
      return 'no GPU device (/dev/dri or /dev/nvidia0)';
    // Dawn's Vulkan backend wants a runtime dir even when nothing is displayed.
    process.env.XDG_RUNTIME_DIR ??= tmpdir();
  }
  return null;
}

/** Turns ONNX Runtime's multi-line native errors into one line a user can read. */
export function summarizeProviderError(provider: Provider, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Failed to get a WebGPU adapter/i.test(message))
    return 'no WebGPU adapter (no usable Vulkan, D3D12 or Metal GPU)';
  if (/Failed to load (shared )?library/i.test(message))
    return `the ${provider.toUpperCase()} provider library could not be loaded`;
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.replace(/^.*\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*/, '').slice(0, 200);
}

function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('onnxruntime-node/package.json');
  return join(dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch);
}
