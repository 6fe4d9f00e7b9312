import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, EventCatalog } from '../../src/eventStore/catalog.ts';
import { InvalidEventDataError, UnknownEventTypeError } from '../../src/eventStore/errors.ts';

const Renamed = defineEvent({
  type: 'TeamRenamed',
  schemaVersion: 3,
  schema: z.object({ name: z.string().min(1), previousName: z.string().nullable() }),
  upcasters: {
    1: (data) => ({ name: (data as { title: string }).title }),
    2: (data) => ({ ...(data as object), previousName: null }),
  },
});

describe('EventCatalog', () => {
  const catalog = new EventCatalog([Renamed]);

  it('validates data on the way in and stamps the current schema version', () => {
    expect(catalog.prepare('TeamRenamed', { name: 'Core', previousName: 'Platform' })).toEqual({
      data: { name: 'Core', previousName: 'Platform' },
      schemaVersion: 3,
    });
    expect(() => catalog.prepare('TeamRenamed', { name: '' })).toThrow(InvalidEventDataError);
    expect(() => catalog.prepare('TeamArchived', {})).toThrow(UnknownEventTypeError);
  });

  it('strips unknown fields (zod objects are strict about shape, not extras)', () => {
    expect(catalog.prepare('TeamRenamed', { name: 'A', previousName: null, extra: 1 }).data).toEqual({
      name: 'A',
      previousName: null,
    });
  });

  it('upcasts through every version in turn', () => {
    expect(catalog.upcast('TeamRenamed', 1, { title: 'Core' })).toEqual({
      data: { name: 'Core', previousName: null },
      schemaVersion: 3,
    });
    expect(catalog.upcast('TeamRenamed', 2, { name: 'Core' })).toEqual({
      data: { name: 'Core', previousName: null },
      schemaVersion: 3,
    });
  });

  it('leaves current, newer and unknown events untouched', () => {
    const data = { name: 'Core', previousName: null };
    expect(catalog.upcast('TeamRenamed', 3, data)).toEqual({ data, schemaVersion: 3 });
    expect(catalog.upcast('TeamRenamed', 4, data)).toEqual({ data, schemaVersion: 4 });
    expect(catalog.upcast('Unknown', 1, data)).toEqual({ data, schemaVersion: 1 });
  });

  it('refuses a definition with a missing upcaster and a type registered twice', () => {
    expect(() => defineEvent({ type: 'X', schemaVersion: 2, schema: z.object({}) })).toThrow(/no upcaster from v1/);
    expect(() => new EventCatalog([Renamed, Renamed])).toThrow(/registered twice/);
  });
});
