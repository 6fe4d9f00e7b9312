// The WorkingSet writes rows exactly as given, whichever way it writes them
// (upserts inline, COPY in a rebuild), including text that COPY must escape.
import { describe, expect, it } from 'vitest';
import { assets, frictionSignalChanges, organizations, people } from '../../projections/tables.ts';
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

  it('finds rows by an element of an array field and by null fields, inline and in memory alike', async () => {
    const asset = (n: number, valueStreamIds: string[], url: string | null) => ({
      id: `01a21400-0000-7000-8000-00000000010${n}`,
      organizationId: organization.id,
      kind: 'PERSONA',
      category: 'CUSTOMER_VALUE',
      title: `Asset ${n}`,
      url,
      teamIds: [] as string[],
      valueStreamIds,
      publishedAt: new Date('2026-01-02T03:04:05.678Z'),
      lastRevisedAt: new Date('2026-01-02T03:04:05.678Z'),
      revisionCount: 0,
      version: 1,
      position: BigInt(n),
    });
    const vsA = '01a21400-0000-7000-8000-0000000000a1';
    const vsB = '01a21400-0000-7000-8000-0000000000b1';
    const rows = [asset(1, [vsA], null), asset(2, [vsA, vsB], 'https://x.test'), asset(3, [vsB], null)];
    const query = async (ws: WorkingSet) => ({
      inA: (await ws.containing(assets, 'valueStreamIds', vsA)).map((row) => row.title).sort(),
      inBWithoutUrl: (await ws.containing(assets, 'valueStreamIds', vsB, { url: null })).map((row) => row.title),
      withoutUrl: (await ws.where(assets, { organizationId: organization.id, url: null }))
        .map((row) => row.title)
        .sort(),
    });
    const expected = { inA: ['Asset 1', 'Asset 2'], inBWithoutUrl: ['Asset 3'], withoutUrl: ['Asset 1', 'Asset 3'] };

    const memory = new WorkingSet();
    for (const row of rows) memory.put(assets, row);
    expect(await query(memory)).toEqual(expected);
    // The element index follows changes: asset 1 leaves A.
    memory.put(assets, { ...rows[0]!, valueStreamIds: [vsB] });
    expect((await memory.containing(assets, 'valueStreamIds', vsA)).map((row) => row.title)).toEqual(['Asset 2']);

    const writer = new WorkingSet(db.pool);
    for (const row of rows) writer.put(assets, row);
    await writer.flush();
    expect(await query(new WorkingSet(db.pool))).toEqual(expected);
  });

  it('keeps bigint arrays exact through upserts and COPY', async () => {
    const change = {
      organizationId: organization.id,
      sequence: 1n,
      signalId: '01a21400-0000-7000-8000-000000000201',
      kind: 'OVERALLOCATION',
      change: 'RAISED',
      severity: 'LOW',
      message: nasty,
      evidence: [9_007_199_254_740_993n, 2n],
      at: new Date('2026-01-02T03:04:05.678Z'),
      position: null,
    };
    const inline = new WorkingSet(db.pool);
    inline.put(frictionSignalChanges, change);
    await inline.flush();
    const copied = { ...change, sequence: 2n };
    const bulk = new WorkingSet();
    bulk.put(frictionSignalChanges, copied);
    const client = await db.pool.connect();
    try {
      await bulk.flushTable(frictionSignalChanges as never, client, { fresh: true });
    } finally {
      client.release();
    }
    // Read back through the same spec, minus its write-only mark (projections never read these rows).
    const { writeOnly: _, ...readable } = frictionSignalChanges;
    const reader = new WorkingSet(db.pool);
    expect(await reader.get(readable, { organizationId: organization.id, sequence: 1n })).toEqual(change);
    expect(await reader.get(readable, { organizationId: organization.id, sequence: 2n })).toEqual(copied);
  });
  it('keeps a write-only table’s rows as a list: written once by a flush, listed by rows(), never read back', async () => {
    const row = (sequence: bigint) => ({
      organizationId: organization.id,
      sequence,
      signalId: '01a21400-0000-7000-8000-000000000202',
      kind: 'OVERALLOCATION',
      change: 'RAISED',
      severity: 'LOW',
      message: `change ${sequence}`,
      evidence: [sequence],
      at: new Date('2026-01-02T03:04:05.678Z'),
      position: null,
    });
    const ws = new WorkingSet();
    ws.put(frictionSignalChanges, row(11n));
    ws.put(frictionSignalChanges, row(12n));
    expect(ws.rows(frictionSignalChanges).map((change) => change.sequence)).toEqual([11n, 12n]);
    await expect(ws.get(frictionSignalChanges, { organizationId: organization.id, sequence: 11n })).rejects.toThrow(
      /write-only/,
    );
    await expect(ws.where(frictionSignalChanges, { organizationId: organization.id })).rejects.toThrow(/write-only/);
    const written = async () =>
      (
        await db.pool.query<{ sequence: string }>(
          'SELECT sequence::text FROM friction_signal_changes WHERE organization_id = $1 AND sequence BETWEEN 11 AND 13 ORDER BY sequence',
          [organization.id],
        )
      ).rows.map((change) => change.sequence);
    await ws.flush(db.pool);
    expect(await written()).toEqual(['11', '12']);
    expect(ws.rows(frictionSignalChanges)).toEqual([]);
    // A second flush writes only what was put since: the list was taken (11 and 12, deleted
    // meanwhile, are not written again).
    await db.pool.query('DELETE FROM friction_signal_changes WHERE organization_id = $1 AND sequence IN (11, 12)', [
      organization.id,
    ]);
    ws.put(frictionSignalChanges, row(13n));
    await ws.flush(db.pool);
    expect(await written()).toEqual(['13']);
  });
  it('writes and commits in one round trip on a connection that prepared the write, escaping the rows exactly', async () => {
    const client = await db.pool.connect();
    const sent: string[] = [];
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return query(config, ...rest);
    };
    const commit = async (rows: { organization: typeof organization; person: typeof person }) => {
      sent.length = 0;
      await query('BEGIN');
      const ws = new WorkingSet(client);
      ws.put(organizations, rows.organization);
      ws.put(people, rows.person);
      await ws.flushAndCommit(client);
      return [...sent];
    };
    try {
      // First time: the write is prepared and run, then committed.
      const first = await commit({ organization, person });
      expect(first).toHaveLength(2);
      expect(first[1]).toBe('COMMIT');
      expect(await readBack()).toEqual({ organization, person });

      // Then EXECUTE of the prepared write and COMMIT, one simple query, with
      // text a quoted literal must escape (quotes, backslashes, an injection).
      const quoted = `${nasty}, it's 'quoted', E'\\x', $$dollar$$, '); DROP TABLE people; --`;
      const changed = {
        organization: { ...organization, name: quoted, thresholds: { ...organization.thresholds, [quoted]: 2 } },
        person: { ...person, name: quoted, skills: [quoted, "O'Brien"], version: 2 },
      };
      const second = await commit(changed);
      expect(second).toHaveLength(1);
      expect(second[0]).toMatch(/^EXECUTE rm_[0-9a-f]+\(.*\); COMMIT$/s);
      expect(await readBack()).toEqual(changed);

      // A write that fails leaves the transaction aborted and nothing written.
      await expect(commit({ organization, person: { ...person, name: null as unknown as string } })).rejects.toThrow(
        /null value/,
      );
      await query('ROLLBACK');
      expect(await readBack()).toEqual(changed);
    } finally {
      client.release();
    }
  });
  it('bulk-loads a write-only table of hundreds of thousands of rows (one organization’s references)', async () => {
    const ws = new WorkingSet();
    const count = 300_000;
    for (let sequence = 1; sequence <= count; sequence++) {
      ws.put(frictionSignalChanges, {
        organizationId: organization.id,
        sequence: BigInt(1_000_000 + sequence),
        signalId: '01a21400-0000-7000-8000-000000000203',
        kind: 'OVERALLOCATION',
        change: 'UPDATED',
        severity: 'LOW',
        message: 'bulk',
        evidence: [],
        at: new Date('2026-01-02T03:04:05.678Z'),
        position: null,
      });
    }
    const client = await db.pool.connect();
    try {
      await ws.flushTable(frictionSignalChanges, client, { fresh: true });
    } finally {
      client.release();
    }
    const written = await db.pool.query<{ n: number; low: string; high: string }>(
      `SELECT count(*)::int AS n, min(sequence)::text AS low, max(sequence)::text AS high
       FROM friction_signal_changes WHERE organization_id = $1 AND message = 'bulk'`,
      [organization.id],
    );
    expect(written.rows[0]).toEqual({ n: count, low: '1000001', high: String(1_000_000 + count) });
  });

  it('bulk-loads into the schema it is given, and fails rather than fall through to the live table when that schema is gone', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(
        'CREATE SCHEMA copy_target; CREATE TABLE copy_target.people (LIKE public.people INCLUDING DEFAULTS)',
      );
      await client.query('SET search_path = copy_target, public');
      const stranger = { ...person, id: '01a21400-0000-7000-8000-0000000000c0', email: 'stranger@acme.test' };
      const ws = new WorkingSet();
      ws.put(people, stranger);
      await ws.flushTable(people, client, { fresh: true, schema: 'copy_target' });
      const copied = await client.query('SELECT id FROM copy_target.people');
      expect(copied.rows).toEqual([{ id: stranger.id }]);

      // Dropped meanwhile (a failed rebuild drops its scratch schema): the
      // search path would now find public.people.
      await client.query('DROP SCHEMA copy_target CASCADE');
      const late = new WorkingSet();
      late.put(people, stranger);
      await expect(late.flushTable(people, client, { fresh: true, schema: 'copy_target' })).rejects.toThrow(
        /copy_target/,
      );
      expect(await new WorkingSet(db.pool).get(people, { id: stranger.id })).toBeUndefined();
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
  });
});
