/** Types for the parts of the engine service that implement a group of protocol methods each. */
import type { z } from 'zod';
import type { EventData, EventName, MethodName, MethodResult, Methods } from '../api/index.js';

/** One method's implementation: params already validated, result validated by the service. */
export type MethodImpl<M extends MethodName> = (
  params: z.infer<(typeof Methods)[M]['params']>,
) => MethodResult<M> | Promise<MethodResult<M>>;

/** The implementations of methods `K`. */
export type MethodImpls<K extends MethodName> = { [M in K]: MethodImpl<M> };

/** Sends an event to every client; the service validates its data. */
export type Emit = <E extends EventName>(event: E, data: EventData<E>) => void;
