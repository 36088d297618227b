/**
 * Why the decoder refuses an upload, in a form that crosses the worker-thread boundary (structured clone keeps
 * plain fields, not classes). The audio module turns it into its AppError (AudioErrors) on the main thread.
 */
export type Refusal =
  | { kind: 'too_long'; seconds: number; stoppedEarly: boolean }
  | { kind: 'undecodable'; detail: string }
  | { kind: 'empty'; detail: string }
  | { kind: 'odd_length'; bytes: number };

export class DecodeRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.kind === 'undecodable' || refusal.kind === 'empty' ? refusal.detail : refusal.kind);
    this.name = 'DecodeRefusal';
  }
}

export const refuse = {
  tooLong: (seconds: number, stoppedEarly: boolean) =>
    new DecodeRefusal({ kind: 'too_long', seconds, stoppedEarly }),
  undecodable: (detail: string) => new DecodeRefusal({ kind: 'undecodable', detail }),
  empty: (detail: string) => new DecodeRefusal({ kind: 'empty', detail }),
  oddLength: (bytes: number) => new DecodeRefusal({ kind: 'odd_length', bytes }),
};
