import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { AppError, CompiledDto, createValidationPipe } from '@mira/core';
import {
  CreateInteractionDto,
  InteractionListQueryDto,
  InteractionListQueryV2Dto,
  UpdateInteractionDto,
} from './interaction.dto.js';

/**
 * The validation pipe answers the hot routes' DTOs through rules compiled once (CompiledDto). Whatever the input,
 * it must answer exactly what Nest's ValidationPipe with class-transformer and class-validator answers: the same
 * instance (class, fields, transforms: lower-cased ids, decimal integers), or the same 422 (detail and fields).
 */
const compiledPipe = createValidationPipe();
const generalPipe = createValidationPipe({ compiled: false });

type Answer = { instance: object } | { status: number; code: string; detail: string; extra: unknown };

async function answer(
  pipe: typeof compiledPipe,
  metatype: ArgumentMetadata['metatype'],
  type: ArgumentMetadata['type'],
  input: () => unknown,
): Promise<Answer> {
  try {
    return { instance: (await pipe.transform(input(), { metatype, type })) as object };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { status: err.status, code: err.code, detail: err.detail, extra: err.extra };
  }
}

/** A query string as Express 5 hands it over (node:querystring: a null-prototype object, repeated keys as arrays). */
function query(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, fields);
}

async function expectSameAnswer(
  metatype: new () => object,
  type: ArgumentMetadata['type'],
  fields: Record<string, unknown>,
): Promise<Answer> {
  const make = () => (type === 'query' ? query(structuredClone(fields)) : structuredClone(fields));
  const general = await answer(generalPipe, metatype, type, make);
  const compiled = await answer(compiledPipe, metatype, type, make);
  // toStrictEqual: same class, same own fields (an undefined field included)
  expect(compiled).toStrictEqual(general);
  return general;
}

const UUID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
/** Per key: values the DTO accepts, then values it refuses. */
const QUERY_VALUES: Record<string, [unknown[], unknown[]]> = {
  limit: [
    ['20', '1', '500'],
    ['0', '501', '0x10', '+5', ' 5', '1e3', 'abc', '', ['1', '2']],
  ],
  offset: [
    ['0', '10'],
    ['-1', '10000001', '1.5'],
  ],
  person_id: [
    [UUID, UUID.toUpperCase()],
    ['not-a-uuid', '', [UUID, UUID]],
  ],
  conversation_id: [[UUID.toUpperCase()], ['x']],
  interaction_type: [
    ['text', 'audio', 'system'],
    ['video', 'TEXT'],
  ],
  since: [
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00+02:00', '2026-01-01'],
    ['2026-01-01T00:00:00', '1969-12-31T23:59:59Z', 'soon'],
  ],
  until: [['2026-01-02T00:00:00.000Z'], ['10000-01-01T00:00:00Z']],
  cursor: [['WzEsIjNmYTg1ZjY0Ii4uLl0', ''], [['a', 'b']]],
  sort: [['occurred_at', 'created_at'], ['id']],
  order: [['asc', 'desc'], ['up']],
  unknown: [[], ['x']],
  constructor: [[], ['x']] as [unknown[], unknown[]],
};
const BODY_VALUES: Record<string, [unknown[], unknown[]]> = {
  interaction_type: [
    ['text', 'audio'],
    ['video', 5, null],
  ],
  content: [
    ['hello', '', null, 'x'.repeat(20_000)],
    [5, true, 'a\u0000b', '\ud800', 'x'.repeat(20_001)],
  ],
  person_id: [
    [UUID, UUID.toUpperCase(), null],
    ['nope', 7],
  ],
  conversation_id: [[UUID, null], ['']],
  metadata: [
    [{}, { a: 1, b: { c: [1, 'x'] } }],
    [null, 'x', [], { bad: 'a\u0000' }],
  ],
  occurred_at: [['2026-01-01T12:00:00Z'], ['2026-01-01T12:00:00', 'garbage', null, 1767268800000]],
  unknown: [[], [1, null]],
};

/**
 * A deterministic stream of inputs: each key present or not, a present key's value one it accepts or, one time in
 * ten, one it refuses (so that about half the inputs are valid and the rest fail on one rule or a few).
 */
function* inputs(
  values: Record<string, [unknown[], unknown[]]>,
  count: number,
): Generator<Record<string, unknown>> {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = (options: unknown[]) => options[Math.floor(next() * options.length)];
  for (let i = 0; i < count; i++) {
    const fields: Record<string, unknown> = {};
    for (const [key, [accepted, refused]] of Object.entries(values)) {
      if (accepted.length === 0) {
        if (next() < 0.05) fields[key] = pick(refused);
      } else if (next() < 0.4) {
        fields[key] = next() < 0.1 ? pick(refused) : pick(accepted);
      }
    }
    yield fields;
  }
}

describe('request DTOs through the compiled validation answer as class-validator does', () => {
  it.each([
    ['v1 list query', InteractionListQueryDto],
    ['v2 list query', InteractionListQueryV2Dto],
  ])('%s: the same instance or the same 422 for 600 inputs', async (_name, dto) => {
    let accepted = 0;
    for (const fields of inputs(QUERY_VALUES, 600)) {
      if ('instance' in (await expectSameAnswer(dto, 'query', fields))) accepted++;
    }
    // both outcomes were exercised
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(500);
  });

  it.each([
    ['create body', CreateInteractionDto],
    ['update body', UpdateInteractionDto],
  ])('%s: the same instance or the same 422 for 600 inputs', async (_name, dto) => {
    let accepted = 0;
    for (const fields of inputs(BODY_VALUES, 600)) {
      if ('instance' in (await expectSameAnswer(dto, 'body', fields))) accepted++;
    }
    expect(accepted).toBeGreaterThan(60);
    expect(accepted).toBeLessThan(540);
  });

  it('the bench and app requests take the compiled path, with the transforms applied', async () => {
    const list = CompiledDto.compile(InteractionListQueryDto)!;
    const page = list.instantiate(query({ limit: '20', person_id: UUID.toUpperCase() }));
    expect(page).toBeInstanceOf(InteractionListQueryDto);
    expect(page).toMatchObject({ limit: 20, person_id: UUID });
    expect(await expectSameAnswer(InteractionListQueryDto, 'query', { limit: '20' })).toStrictEqual({
      instance: Object.assign(new InteractionListQueryDto(), { limit: 20 }),
    });
    const create = CompiledDto.compile(CreateInteractionDto)!;
    expect(create.instantiate({ interaction_type: 'text', content: 'benchmark write' })).toBeInstanceOf(
      CreateInteractionDto,
    );
    expect(CompiledDto.compile(UpdateInteractionDto)).not.toBeNull();
  });

  it('refusals and nested values are left to the general path, whose 422 names every field', async () => {
    const create = CompiledDto.compile(CreateInteractionDto)!;
    expect(create.instantiate({ interaction_type: 'video' })).toBeUndefined();
    expect(create.instantiate({ interaction_type: 'text', metadata: { a: 1 } })).toBeUndefined();
    expect(create.instantiate({ interaction_type: 'text', extra: 1 })).toBeUndefined();
    const refused = await expectSameAnswer(CreateInteractionDto, 'body', {
      interaction_type: 'video',
      content: 5,
      extra: 1,
    });
    expect(refused).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      extra: {
        fields: expect.arrayContaining([
          { field: 'extra', messages: ['property extra should not exist'] },
          expect.objectContaining({ field: 'interaction_type' }),
          expect.objectContaining({ field: 'content' }),
        ]) as unknown,
      },
    });
  });
});
