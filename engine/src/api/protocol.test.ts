import { describe, expect, it } from 'vitest';
import {
  describeIssues,
  Events,
  GenerateImageParams,
  isMethodName,
  Methods,
  RequestMessage,
  ServerMessage,
  type MethodParams,
  type MethodResult,
} from './protocol.js';

describe('protocol envelope', () => {
  it('reads a request, with params optional', () => {
    expect(RequestMessage.parse({ type: 'request', id: 1, method: 'models.list' })).toEqual({
      type: 'request',
      id: 1,
      method: 'models.list',
    });
    expect(RequestMessage.safeParse({ type: 'request', id: -1, method: 'x' }).success).toBe(false);
    expect(RequestMessage.safeParse({ type: 'request', id: '', method: 'x' }).success).toBe(false);
  });

  it('tells responses, errors and events apart; an error may lack an id', () => {
    expect(ServerMessage.parse({ type: 'response', id: 'a', result: [1] }).type).toBe('response');
    const error = { name: 'EngineError', code: 'bad_request', message: 'message is not JSON' };
    expect(ServerMessage.parse({ type: 'error', id: null, error })).toMatchObject({ id: null });
    expect(ServerMessage.safeParse({ type: 'error', id: 1, error: { message: 'x' } }).success).toBe(false);
    expect(ServerMessage.parse({ type: 'event', event: 'job.started', data: { jobId: 'j' } }).type).toBe(
      'event',
    );
  });

  it('knows its methods, and only its own', () => {
    expect(isMethodName('jobs.generateImage')).toBe(true);
    expect(isMethodName('jobs.delete')).toBe(false);
    expect(isMethodName('constructor')).toBe(false);
    expect(Object.keys(Methods).every((name) => /^[a-z]+\.[a-zA-Z]+$/.test(name))).toBe(true);
    expect(Object.keys(Events).every((name) => /^[a-z]+\.[a-zA-Z]+$/.test(name))).toBe(true);
  });
});

describe('method schemas', () => {
  it('checks generateImage params strictly, naming each problem', () => {
    const good: MethodParams<'jobs.generateImage'> = {
      prompt: 'a cat',
      ratio: '16:9',
      sampling: { guidance: 4 },
      seed: 0,
    };
    expect(GenerateImageParams.parse(good)).toEqual(good);
    const bad = GenerateImageParams.safeParse({ prompt: '', ratio: 'wide', sampling: { topk: 5 }, seed: -1 });
    expect(bad.success).toBe(false);
    expect(describeIssues(bad.error!, 'params')).toBe(
      'params.prompt: Too small: expected string to have >=1 characters; params.ratio: expected "W:H", e.g. "16:9"; ' +
        'params.sampling: Unrecognized key: "topk" (and 1 more)',
    );
  });

  it('types results from the same schemas', () => {
    const status: MethodResult<'jobs.cancel'> = { jobId: 'j', status: 'cancelled' };
    expect(Methods['jobs.cancel'].result.parse(status)).toEqual(status);
    expect(Methods['jobs.cancel'].result.safeParse({ jobId: 'j', status: 'gone' }).success).toBe(false);
  });
});
