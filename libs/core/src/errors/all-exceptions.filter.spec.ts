import { describeThrown, toAppError } from './all-exceptions.filter.js';

describe('the global filter and values that are not Errors', () => {
  it('logs what a library threw even when it is a bare string or a plain object', () => {
    expect(describeThrown('invalid inputSampleRate')).toBe('invalid inputSampleRate');
    expect(describeThrown({ code: 7, reason: 'no' })).toBe('{"code":7,"reason":"no"}');
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(describeThrown(cyclic)).toBe('[object Object]');
  });

  it('still answers them with the generic 500 body (the detail never leaks)', () => {
    const error = toAppError('invalid inputSampleRate');
    expect([error.status, error.code, error.detail]).toEqual([
      500,
      'INTERNAL_ERROR',
      'An unexpected error occurred',
    ]);
  });
});
