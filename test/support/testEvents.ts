// A small event catalogue for the event store's own tests, independent of the
// domain catalogue: a counter stream with a type that has been upcast once.
import { z } from 'zod';
import { defineEvent, EventCatalog } from '../../src/eventStore/catalog.ts';

export const CounterOpened = defineEvent({
  type: 'CounterOpened',
  schemaVersion: 1,
  schema: z.object({ name: z.string().min(1) }),
});

/** v1 stored `{ by }`; v2 is `{ amount, note }`. */
export const CounterIncremented = defineEvent({
  type: 'CounterIncremented',
  schemaVersion: 2,
  schema: z.object({ amount: z.number().int(), note: z.string() }),
  upcasters: { 1: (data) => ({ amount: (data as { by: number }).by, note: '' }) },
});

export const CounterIncrementedV1 = defineEvent({
  type: 'CounterIncremented',
  schemaVersion: 1,
  schema: z.object({ by: z.number().int() }),
});

export const testCatalog = () => new EventCatalog([CounterOpened, CounterIncremented]);
export const legacyCatalog = () => new EventCatalog([CounterOpened, CounterIncrementedV1]);

export const opened = (name = 'c') => ({ type: 'CounterOpened', data: { name } });
export const incremented = (amount = 1, note = '') => ({ type: 'CounterIncremented', data: { amount, note } });
