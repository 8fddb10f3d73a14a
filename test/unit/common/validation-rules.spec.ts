import { ArgumentMetadata } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import { FieldError, ValidationProblem } from '../../../src/common/problem';
import { INT4 } from '../../../src/common/scalars';
import { createValidationPipe } from '../../../src/common/validation';
import { DateTime, DecimalQuery, Integer, notNullFields } from '../../../src/common/validation-rules';

class SampleQuery {
  @IsOptional()
  @DateTime()
  from?: Date;

  @IsOptional()
  @Integer({ min: 1, max: INT4.max }, 'query')
  page = 1;

  @IsOptional()
  @DecimalQuery({ min: 0, max: 100 })
  minScore?: number;

  @IsOptional()
  @IsString()
  q?: string;
}

class SampleBody {
  @IsString()
  name: string;

  @IsOptional()
  @IsString()
  nickname?: string | null;

  @IsOptional()
  @DateTime()
  at?: Date;

  @IsOptional()
  @Integer({ min: 1, max: INT4.max })
  version?: number;
}

class SamplePatch extends PartialType(SampleBody) {}
notNullFields(SamplePatch, ['name', 'at']);

async function run(type: 'query' | 'body', metatype: new () => object, value: unknown) {
  const metadata: ArgumentMetadata = { type, metatype };
  try {
    return { value: (await createValidationPipe().transform(value, metadata)) as Record<string, unknown> };
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    return { errors: error.errors };
  }
}

const fields = (errors?: FieldError[]) => errors?.map((error) => error.field);
/** Query objects come from Fastify without a prototype, where `__proto__` is an ordinary key. */
const query = (entries: Record<string, unknown>) => Object.assign(Object.create(null) as object, entries);

describe('the validation pipe with the scalar rules', () => {
  describe('date-times', () => {
    it('turns an ISO 8601 date-time with a time zone into a Date', async () => {
      const { value } = await run('query', SampleQuery, query({ from: '2026-11-01T00:00:00+01:00' }));
      expect((value?.from as Date).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    });

    it.each([
      '-271821-04-20T00:00:00.000Z',
      '0000-01-01T00:00:00Z',
      '+100000-01-01T00:00:00Z',
      '\r\nX-Injected: 1',
      '2026-11-01',
      '2026-13-45T00:00:00Z',
    ])('refuses %p in a query', async (text) => {
      const { errors } = await run('query', SampleQuery, query({ from: text }));
      expect(errors).toEqual([{ field: 'from', messages: [expect.stringMatching(/ISO 8601/)] }]);
    });

    it.each([1700000000000, true, {}, ['2026-11-01T00:00:00Z']])('refuses %p in a body', async (at) => {
      const { errors } = await run('body', SampleBody, { name: 'x', at });
      expect(fields(errors)).toEqual(['at']);
    });
  });

  describe('integers', () => {
    it.each([
      ['1', 1],
      ['2147483647', INT4.max],
    ])('reads page=%p', async (page, expected) => {
      expect((await run('query', SampleQuery, query({ page }))).value?.page).toBe(expected);
    });

    it.each(['1e308', '99999999999999999999999', '2147483648', '0', '0x10', '', ' 1', '1.5', 'Infinity'])(
      'refuses page=%p',
      async (page) => {
        expect(fields((await run('query', SampleQuery, query({ page }))).errors)).toEqual(['page']);
      },
    );

    it.each([2 ** 53, 1.23e29, 2 ** 31, 0, 1.5, '3'])('refuses the body version %p', async (version) => {
      expect(fields((await run('body', SampleBody, { name: 'x', version })).errors)).toEqual(['version']);
    });

    it('reads a decimal query value strictly', async () => {
      expect((await run('query', SampleQuery, query({ minScore: '12.5' }))).value?.minScore).toBe(12.5);
      for (const minScore of ['1e1', '0x10', '', '101']) {
        expect(fields((await run('query', SampleQuery, query({ minScore }))).errors)).toEqual(['minScore']);
      }
    });

    it('refuses integer bounds that are not safe integers', () => {
      expect(() => Integer({ min: 0, max: 2 ** 63 })).toThrow(/safe integers/);
    });
  });

  describe('text in a query', () => {
    it.each(['\u0000', 'a\u0000b', '\uD800'])('refuses %p', async (q) => {
      const { errors } = await run('query', SampleQuery, query({ q }));
      expect(errors).toEqual([{ field: 'q', messages: [expect.stringMatching(/^q must/)] }]);
    });

    it('refuses NUL in any value of a repeated parameter', async () => {
      expect(fields((await run('query', SampleQuery, query({ q: ['a', 'b\u0000'] }))).errors)).toEqual(['q']);
    });
  });

  describe('prototype keys', () => {
    it.each(['__proto__', 'constructor', 'prototype'])(
      'refuses the query parameter %s like any unknown one',
      async (key) => {
        const { errors } = await run('query', SampleQuery, query({ [key]: '1' }));
        expect(errors).toEqual([{ field: key, messages: [`property ${key} should not exist`] }]);
      },
    );

    it.each(['constructor', 'prototype'])('refuses %s at the top of a body', async (key) => {
      const body = JSON.parse(`{"name":"x","${key}":1}`) as object;
      expect(fields((await run('body', SampleBody, body)).errors)).toEqual([key]);
    });
  });

  describe('bodies that are not objects and explicit nulls', () => {
    it.each([null, [], 42, 'text', true])('refuses the body %p', async (body) => {
      expect(fields((await run('body', SamplePatch, body)).errors)).toEqual(['body']);
    });

    it('leaves a missing body to the DTO (an empty patch)', async () => {
      expect((await run('body', SamplePatch, undefined)).errors).toBeUndefined();
    });

    it('refuses null on a NOT NULL field of a patch, alone, and accepts it where null clears', async () => {
      const { errors } = await run('body', SamplePatch, { name: null, at: null, nickname: null });
      expect(errors).toEqual([
        { field: 'name', messages: ['name must not be null'] },
        { field: 'at', messages: ['at must not be null'] },
      ]);
    });

    it('still applies the create rules to a patch field that is present', async () => {
      expect(fields((await run('body', SamplePatch, { name: 5 })).errors)).toEqual(['name']);
      expect((await run('body', SamplePatch, { name: 'y' })).value).toEqual({ name: 'y' });
      expect((await run('body', SamplePatch, {})).value).toEqual({});
    });
  });
});
