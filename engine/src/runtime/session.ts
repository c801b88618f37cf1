/** ONNX Runtime sessions for the engine's graphs, on the best execution provider that starts. */
import * as ort from 'onnxruntime-node';
import { EngineError } from '../api/index.js';
import {
  providerCandidates,
  providerPrecheck,
  summarizeProviderError,
  type Provider,
  type ProviderChoice,
  type ProviderFallback,
} from './execution-provider.js';

export interface SessionOptions {
  provider?: ProviderChoice;
  /** Intra-op threads on the CPU; ONNX Runtime's default (all cores) when left out. */
  threads?: number;
  /** Outputs left on the GPU under WebGPU (the KV cache), so they need not cross to the host each step. */
  gpuOutputs?: readonly string[];
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: Provider;
  /** Providers tried first that could not start, each with why. */
  fallbacks: ProviderFallback[];
}

/** Opens `model` (a file path or the bytes of a graph) on the first provider that starts. */
export async function openSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<OpenedSession> {
  const fallbacks: ProviderFallback[] = [];
  for (const provider of providerCandidates(options.provider ?? 'auto')) {
    const skip = providerPrecheck(provider);
    if (skip !== null) {
      fallbacks.push({ provider, reason: skip });
      continue;
    }
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        // Left alone, the CPU provider fuses a plain graph's DequantizeLinear + MatMul into MatMulNBits with
        // int8-quantized activations, which is less exact than the fused graph it should equal.
        extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
        ...(provider === 'webgpu' && options.gpuOutputs?.length
          ? {
              preferredOutputLocation: Object.fromEntries(
                options.gpuOutputs.map((name) => [name, 'gpu-buffer' as const]),
              ),
            }
          : {}),
      };
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, sessionOptions)
          : await ort.InferenceSession.create(model, sessionOptions);
      return { session, provider, fallbacks };
    } catch (error) {
      if (provider === 'cpu') {
        const where = typeof model === 'string' ? model : 'graph';
        throw new EngineError(
          'invalid_file',
          `${where}: ONNX Runtime cannot load it: ${summarizeProviderError('cpu', error)}`,
        );
      }
      fallbacks.push({ provider, reason: summarizeProviderError(provider, error) });
    }
  }
  throw new EngineError('unsupported', 'no execution provider could start');
}
