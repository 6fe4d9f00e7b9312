import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { ConcurrencyError } from '../../src/eventStore/errors.ts';
import { defineValueStream, retireValueStream } from '../../src/valueStreams/valueStreams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, rejectsWritingNothing, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const valueStreamRow = async (id: string) =>
  (
    await db.pool.query(
      `SELECT organization_id, name, description, customer, parent_id, defined_at, retired_at, version
       FROM value_streams WHERE id = $1`,
      [id],
    )
  ).rows[0];

/** Events and value-stream rows of the organization, to show a rejected command wrote nothing. */
const footprint = async (org: Commands) =>
  (
    await db.pool.query(
      `SELECT (SELECT count(*)::int FROM events WHERE organization_id = $1) AS events,
              (SELECT count(*)::int FROM value_streams WHERE organization_id = $1) AS rows,
              (SELECT count(*)::int FROM unique_claims WHERE organization_id = $1) AS claims`,
      [org.organizationId],
    )
  ).rows[0];

const expectRejected = rejectsWritingNothing(footprint);

describe('defineValueStream', () => {
  it('defines a value stream and its read-model row', async () => {
    const org = await newOrganization(db);
    const outcome = await org.run(defineValueStream, {
      name: 'Checkout',
      description: 'Everything between the basket and the receipt',
      customer: 'Online shoppers',
    });
    const { valueStreamId } = outcome.result;
    expect(outcome.events.map((e) => [e.type, e.streamId, e.streamVersion])).toEqual([
      ['ValueStreamDefined', `value-stream-${valueStreamId}`, 1],
    ]);
    expect(outcome.events[0]!.data).toEqual({
      valueStreamId,
      name: 'Checkout',
      description: 'Everything between the basket and the receipt',
      customer: 'Online shoppers',
      parentId: null,
    });
    expect(await valueStreamRow(valueStreamId)).toEqual({
      organization_id: org.organizationId,
      name: 'Checkout',
      description: 'Everything between the basket and the receipt',
      customer: 'Online shoppers',
      parent_id: null,
      defined_at: outcome.events[0]!.occurredAt,
      retired_at: null,
      version: 1,
    });
  });

  it('leaves the optional fields empty when omitted', async () => {
    const org = await newOrganization(db);
    const outcome = await org.run(defineValueStream, { name: '  Onboarding  ' });
    expect(outcome.events[0]!.data).toEqual({
      valueStreamId: outcome.result.valueStreamId,
      name: 'Onboarding',
      description: null,
      customer: null,
      parentId: null,
    });
  });

  it('nests a value stream under a live parent', async () => {
    const org = await newOrganization(db);
    const parent = await org.run(defineValueStream, { name: 'Commerce' });
    const child = await org.run(defineValueStream, { name: 'Payments', parentId: parent.result.valueStreamId });
    expect(child.events[0]!.data).toMatchObject({ parentId: parent.result.valueStreamId });
    expect(await valueStreamRow(child.result.valueStreamId)).toMatchObject({
      parent_id: parent.result.valueStreamId,
    });
  });

  it('treats an unknown parent and another organization’s value stream alike: not found, nothing written', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const foreign = await other.run(defineValueStream, { name: 'Foreign' });
    await expectRejected(
      org,
      () => org.run(defineValueStream, { name: 'Orphan', parentId: '0190f1a0-0000-7000-8000-000000000000' }),
      NotFoundError,
    );
    await expectRejected(
      org,
      () => org.run(defineValueStream, { name: 'Orphan', parentId: foreign.result.valueStreamId }),
      NotFoundError,
    );
  });

  it('refuses a retired parent', async () => {
    const org = await newOrganization(db);
    const parent = await org.run(defineValueStream, { name: 'Legacy' });
    await org.run(retireValueStream, { valueStreamId: parent.result.valueStreamId });
    await expectRejected(
      org,
      () => org.run(defineValueStream, { name: 'Legacy child', parentId: parent.result.valueStreamId }),
      ConflictError,
    );
  });

  it('refuses a child back-dated before its parent was defined', async () => {
    const org = await newOrganization(db);
    const parent = await org.run(defineValueStream, { name: 'Platform' }, { occurredAt: day(10) });
    await expectRejected(
      org,
      () =>
        org.run(
          defineValueStream,
          { name: 'Developer portal', parentId: parent.result.valueStreamId },
          { occurredAt: day(9) },
        ),
      ConflictError,
    );
  });

  it('refuses a name a live value stream holds, whatever its case and spacing', async () => {
    const org = await newOrganization(db);
    await org.run(defineValueStream, { name: 'Self Service' });
    await expectRejected(org, () => org.run(defineValueStream, { name: ' self  SERVICE ' }), ConflictError);
  });

  it('lets another organization use the same name', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    await org.run(defineValueStream, { name: 'Search' });
    const theirs = await other.run(defineValueStream, { name: 'Search' });
    expect(theirs.events).toHaveLength(1);
  });

  it('lets exactly one of several simultaneous definitions with one name win', async () => {
    const org = await newOrganization(db);
    const attempts = await Promise.allSettled(
      ['Growth', 'growth', ' Growth '].map((name) => org.run(defineValueStream, { name })),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const failed of attempts.filter((a) => a.status === 'rejected')) {
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    const rows = await db.pool.query(
      "SELECT count(*)::int AS n FROM value_streams WHERE organization_id = $1 AND lower(name) = 'growth'",
      [org.organizationId],
    );
    expect(rows.rows[0].n).toBe(1);
    const events = await db.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE organization_id = $1 AND type = 'ValueStreamDefined'",
      [org.organizationId],
    );
    expect(events.rows[0].n).toBe(1);
  });

  it('rejects malformed input with nothing written', async () => {
    const org = await newOrganization(db);
    for (const input of [
      {},
      { name: '   ' },
      { name: 'x'.repeat(201) },
      { name: 'Ok', customer: 'x'.repeat(201) },
      { name: 'Ok', description: 'x'.repeat(10_001) },
      { name: 'Ok', parentId: 'not-a-uuid' },
    ]) {
      await expectRejected(org, () => org.run(defineValueStream, input), ValidationError);
    }
  });
});

describe('retireValueStream', () => {
  it('retires the value stream and frees its name', async () => {
    const org = await newOrganization(db);
    const defined = await org.run(defineValueStream, { name: 'Marketplace' });
    const { valueStreamId } = defined.result;
    const retired = await org.run(retireValueStream, { valueStreamId });
    expect(retired.result).toEqual({ valueStreamId });
    expect(retired.events.map((e) => [e.type, e.data, e.streamVersion])).toEqual([
      ['ValueStreamRetired', { valueStreamId }, 2],
    ]);
    expect(await valueStreamRow(valueStreamId)).toMatchObject({
      name: 'Marketplace',
      retired_at: retired.events[0]!.occurredAt,
      version: 2,
    });
    const again = await org.run(defineValueStream, { name: 'marketplace' });
    expect(again.result.valueStreamId).not.toBe(valueStreamId);
  });

  it('retires back-dated, but not before the value stream was defined', async () => {
    const org = await newOrganization(db);
    const { valueStreamId } = (await org.run(defineValueStream, { name: 'Wholesale' }, { occurredAt: day(10) })).result;
    await expectRejected(
      org,
      () => org.run(retireValueStream, { valueStreamId }, { occurredAt: day(9) }),
      ConflictError,
    );
    await org.run(retireValueStream, { valueStreamId }, { occurredAt: day(20) });
    expect(await valueStreamRow(valueStreamId)).toMatchObject({ defined_at: day(10), retired_at: day(20) });
  });

  it('refuses to retire a value stream twice', async () => {
    const org = await newOrganization(db);
    const { valueStreamId } = (await org.run(defineValueStream, { name: 'Twice' })).result;
    await org.run(retireValueStream, { valueStreamId });
    await expectRejected(org, () => org.run(retireValueStream, { valueStreamId }), ConflictError);
  });

  it('treats unknown ids and other organizations’ value streams as not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const foreign = await other.run(defineValueStream, { name: 'Theirs' });
    await expectRejected(
      org,
      () => org.run(retireValueStream, { valueStreamId: '0190f1a0-0000-7000-8000-000000000000' }),
      NotFoundError,
    );
    await expectRejected(
      org,
      () => org.run(retireValueStream, { valueStreamId: foreign.result.valueStreamId }),
      NotFoundError,
    );
    expect(await valueStreamRow(foreign.result.valueStreamId)).toMatchObject({ retired_at: null, version: 1 });
  });

  it('honours expectedVersion on the value stream', async () => {
    const org = await newOrganization(db);
    const { valueStreamId } = (await org.run(defineValueStream, { name: 'Pinned' })).result;
    await expectRejected(
      org,
      () => org.run(retireValueStream, { valueStreamId }, { expectedVersion: 2 }),
      ConcurrencyError,
    );
    const retired = await org.run(retireValueStream, { valueStreamId }, { expectedVersion: 1 });
    expect(retired.events).toHaveLength(1);
  });
});
