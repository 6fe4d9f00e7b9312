// The WorkingSet writes rows exactly as given, whichever way it writes them
// (upserts inline, COPY in a rebuild), including text that COPY must escape.
import { describe, expect, it } from 'vitest';
import { organizations, people } from '../../projections/tables.ts';
import { WorkingSet } from '../../src/readModel/workingSet.ts';
import { useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const nasty = 'Tab\there, "quoted", back\\slash, new\nline, cr\r, {braces}, comma, \\N, null';
const organization = {
  id: '01a21400-0000-7000-8000-000000000001',
  name: nasty,
  slug: 'nasty',
  growthPhase: 'HYPERGROWTH',
  thresholds: { [nasty]: 1.5, nested: { list: [1, 'two', null] } },
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
  version: 3,
  position: 9_007_199_254_740_993n,
};
const person = {
  id: '01a21400-0000-7000-8000-000000000002',
  organizationId: organization.id,
  name: nasty,
  email: 'ada@acme.test',
  discipline: 'ENGINEERING',
  skills: ['a"b', 'c\\d', 'e,f', '{x}', 'tab\tand\nnewline', 'NULL', ''],
  managerId: null,
  firstTeamId: null,
  registeredAt: new Date('2026-01-02T03:04:05.678Z'),
  offboardedAt: null,
  version: 1,
  position: 2n,
};

async function readBack() {
  const reader = new WorkingSet(db.pool);
  return {
    organization: await reader.get(organizations, { id: organization.id }),
    person: await reader.get(people, { id: person.id }),
  };
}

describe('WorkingSet', () => {
  it('bulk-loads with COPY and reads back exactly what it wrote', async () => {
    const ws = new WorkingSet();
    ws.put(organizations, organization);
    ws.put(people, person);
    const client = await db.pool.connect();
    try {
      for (const spec of ws.changedTables) await ws.flushTable(spec, client, { fresh: true });
    } finally {
      client.release();
    }
    expect(await readBack()).toEqual({ organization, person });
  });

  it('upserts inline, and a transaction’s own changes win over the database in where()', async () => {
    const ws = new WorkingSet(db.pool);
    const renamed = { ...person, name: 'Ada', version: 2 };
    ws.put(people, renamed);
    const other = { ...person, id: '01a21400-0000-7000-8000-000000000003', email: 'grace@acme.test' };
    ws.put(people, other);
    expect((await ws.where(people, { organizationId: organization.id })).map((p) => p.name).sort()).toEqual(
      ['Ada', nasty].sort(),
    );
    await ws.flush();
    expect((await readBack()).person).toEqual(renamed);
    ws.delete(people, { id: other.id });
    await ws.flush();
    expect(await new WorkingSet(db.pool).get(people, { id: other.id })).toBeUndefined();
  });
});
