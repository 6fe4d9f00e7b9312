import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { executeCommand } from '../../src/commands/execute.ts';
import { ConflictError, ValidationError } from '../../src/errors.ts';
import { ConcurrencyError } from '../../src/eventStore/errors.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { changeGrowthPhase, createOrganization, setFrictionThresholds } from '../../src/organization/organization.ts';
import { formTeam } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const organizationRow = async (id: string) =>
  (await db.pool.query('SELECT name, slug, growth_phase, thresholds, version FROM organizations WHERE id = $1', [id]))
    .rows[0];

describe('createOrganization', () => {
  it('creates the organization and its read model in one step', async () => {
    const store = new EventStore(db.pool, createEventCatalog());
    const id = uuidv7();
    const outcome = await executeCommand(
      { pool: db.pool, store },
      createOrganization,
      id,
      { name: 'Globex', slug: 'globex', growthPhase: 'EXPERIMENTING' },
      { actor: 'platform' },
    );
    expect(outcome.events.map((e) => e.type)).toEqual(['OrganizationCreated']);
    expect(outcome.events[0]!.metadata).toEqual({ actor: 'platform' });
    expect(await organizationRow(id)).toEqual({
      name: 'Globex',
      slug: 'globex',
      growth_phase: 'EXPERIMENTING',
      thresholds: {},
      version: 1,
    });
  });

  it('refuses a slug that another organization holds, even when both race', async () => {
    const store = new EventStore(db.pool, createEventCatalog());
    const attempts = await Promise.allSettled(
      [uuidv7(), uuidv7(), uuidv7()].map((id) =>
        executeCommand(
          { pool: db.pool, store },
          createOrganization,
          id,
          { name: 'Initech', slug: 'initech', growthPhase: 'EXPERIMENTING' },
          { actor: 'platform' },
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const failed of attempts.filter((a) => a.status === 'rejected')) {
      expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    const count = await db.pool.query("SELECT count(*)::int AS n FROM organizations WHERE slug = 'initech'");
    expect(count.rows[0].n).toBe(1);
  });

  it('rejects bad input with nothing written', async () => {
    const store = new EventStore(db.pool, createEventCatalog());
    const before = await db.pool.query('SELECT count(*)::int AS n FROM events');
    await expect(
      executeCommand(
        { pool: db.pool, store },
        createOrganization,
        uuidv7(),
        { name: '', slug: 'Not A Slug', growthPhase: 'HUGE' },
        { actor: 'platform' },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    const after = await db.pool.query('SELECT count(*)::int AS n FROM events');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe('changeGrowthPhase', () => {
  it('changes the phase, and a change to the current phase appends nothing', async () => {
    const org = await newOrganization(db);
    const changed = await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' });
    expect(changed.events.map((e) => e.data)).toEqual([
      { organizationId: org.organizationId, phase: 'OPTIMIZING', previousPhase: 'HYPERGROWTH' },
    ]);
    const same = await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' });
    expect(same.events).toEqual([]);
    expect(same.position).toBe(changed.position);
    expect(await organizationRow(org.organizationId)).toMatchObject({ growth_phase: 'OPTIMIZING', version: 2 });
  });

  it('honours expectedVersion: a stale one is a conflict and writes nothing', async () => {
    const org = await newOrganization(db);
    await expect(org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }, { expectedVersion: 5 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }, { expectedVersion: 1 });
    expect(await organizationRow(org.organizationId)).toMatchObject({ growth_phase: 'OPTIMIZING', version: 2 });
  });

  it('answers a retried command with the same idempotency key with the first result', async () => {
    const org = await newOrganization(db);
    const first = await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }, { idempotencyKey: 'k1' });
    await org.run(changeGrowthPhase, { phase: 'HYPERGROWTH' });
    const retry = await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }, { idempotencyKey: 'k1' });
    expect(retry).toMatchObject({ replayed: true, position: first.position, result: first.result });
    expect(await organizationRow(org.organizationId)).toMatchObject({ growth_phase: 'HYPERGROWTH', version: 3 });
    await expect(org.run(setFrictionThresholds, { thresholds: {} }, { idempotencyKey: 'k1' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('expectedVersion on a command that creates its object', () => {
  it('holds for 0 (a new stream) and is a conflict otherwise, writing nothing', async () => {
    const org = await newOrganization(db);
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    await expect(
      org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' }, { expectedVersion: 3 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
    const formed = await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' }, { expectedVersion: 0 });
    expect(formed.events.map((e) => e.streamVersion)).toEqual([1]);
  });
});

describe('org time', () => {
  it('stamps events with the command clock, accepts back-dating and refuses a future occurredAt', async () => {
    const org = await newOrganization(db);
    const backDated = new Date('2025-06-01T10:00:00Z');
    const changed = await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }, { occurredAt: backDated });
    expect(changed.events[0]!.occurredAt).toEqual(backDated);
    const future = new Date(Date.now() + 24 * 3_600_000);
    await expect(org.run(changeGrowthPhase, { phase: 'HYPERGROWTH' }, { occurredAt: future })).rejects.toBeInstanceOf(
      ValidationError,
    );

    const store = new EventStore(db.pool, createEventCatalog());
    const fixed = new Date('2026-02-03T04:05:06.789Z');
    const id = uuidv7();
    const created = await executeCommand(
      { pool: db.pool, store, clock: () => fixed },
      createOrganization,
      id,
      { name: 'Clocked', slug: `clocked-${id.slice(-8)}`, growthPhase: 'EXPERIMENTING' },
      { actor: 'platform' },
    );
    expect(created.events[0]!.occurredAt).toEqual(fixed);
  });
});

describe('setFrictionThresholds', () => {
  it('merges overrides and removes those set to null', async () => {
    const org = await newOrganization(db);
    await org.run(setFrictionThresholds, { thresholds: { overallocationPercent: 120 } });
    expect((await organizationRow(org.organizationId)).thresholds).toEqual({ overallocationPercent: 120 });
    await org.run(setFrictionThresholds, { thresholds: { overallocationPercent: null } });
    expect((await organizationRow(org.organizationId)).thresholds).toEqual({});
  });

  it('refuses unknown names and values out of bounds, writing nothing', async () => {
    const org = await newOrganization(db);
    for (const thresholds of [{ noSuchThreshold: 3 }, { overallocationPercent: -5 }, {}]) {
      await expect(org.run(setFrictionThresholds, { thresholds })).rejects.toBeInstanceOf(ValidationError);
    }
    expect((await organizationRow(org.organizationId)).thresholds).toEqual({});
  });
});
