import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../model/onnx/graph-builder.js';
import { providerCandidates, providerPrecheck, summarizeProviderError } from './execution-provider.js';
import { openSession } from './session.js';

function reluGraph(): Uint8Array {
  const builder = new GraphBuilder({ name: 'relu' });
  const x = builder.input('x', 'float32', [3]);
  builder.node('Relu', [x], { outputs: ['y'] });
  builder.output('y', 'float32', [3]);
  return builder.build();
}

describe('execution providers', () => {
  it('tries the platform GPU paths first and always ends with the CPU', () => {
    expect(providerCandidates('auto', 'linux')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(providerCandidates('auto', 'win32')).toEqual(['dml', 'webgpu', 'cpu']);
    expect(providerCandidates('auto', 'darwin')).toEqual(['webgpu', 'cpu']);
    expect(providerCandidates('webgpu')).toEqual(['webgpu', 'cpu']);
    expect(providerCandidates('cpu')).toEqual(['cpu']);
  });

  it('says why DirectML is skipped off Windows', () => {
    expect(providerPrecheck('dml', 'linux')).toBe('DirectML exists on Windows only');
  });

  it('shortens a native error to one line', () => {
    const native = new Error(
      '/onnxruntime_src/core/providers/webgpu/webgpu_context.cc:136 ... Failed to get a WebGPU adapter: No supported adapters\n at x',
    );
    expect(summarizeProviderError('webgpu', native)).toBe(
      'no WebGPU adapter (no usable Vulkan, D3D12 or Metal GPU)',
    );
  });

  it('runs a graph on the provider that starts, and names each fallback with its reason', async () => {
    const opened = await openSession(reluGraph(), { provider: 'auto', threads: 1 });
    // Whatever this machine has, the run works and every skipped provider carries a one-line reason.
    expect(['cuda', 'webgpu', 'dml', 'cpu']).toContain(opened.provider);
    for (const fallback of opened.fallbacks) expect(fallback.reason).toMatch(/^[^\n]{5,200}$/);
    const { y } = await opened.session.run({
      x: new ort.Tensor('float32', Float32Array.from([-1, 0, 2]), [3]),
    });
    expect(Array.from(y!.data as Float32Array)).toEqual([0, 0, 2]);
    await opened.session.release();
  });

  it('fails with one line naming the file when the graph is not ONNX', async () => {
    await expect(openSession(new Uint8Array([1, 2, 3, 4]), { provider: 'cpu' })).rejects.toThrow(
      /^graph: ONNX Runtime cannot load it: /,
    );
  });
});
