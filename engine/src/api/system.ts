/** Messages about the engine itself: liveness and what it runs on. */
import { z } from 'zod';

/** `GET /api/health`: answered without the launch secret, so launchers can wait for the host. */
export const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** `GET /api/info`: needs the launch secret. */
export const EngineInfo = z.object({
  name: z.literal('emu3-studio-engine'),
  version: z.string(),
  runtime: z.object({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
  }),
  host: z.enum(['web', 'electron', 'cli']),
});
export type EngineInfo = z.infer<typeof EngineInfo>;
