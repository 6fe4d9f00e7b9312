import { describe, expect, it } from 'vitest';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { ConcurrencyError } from '../../src/eventStore/errors.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, rejectsWritingNothing, team, UNKNOWN_ID, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const dependencyRow = async (id: string) =>
  (
    await db.pool.query(
      `SELECT organization_id, from_team_id, to_team_id, mode, description, status, discovered_late,
              expected_duration_days, declared_at, status_since, resolved_at, version
       FROM dependencies WHERE id = $1`,
      [id],
    )
  ).rows[0];

/** Events and dependency rows of the organization, to show a rejected command wrote nothing. */
const footprint = async (org: Commands) =>
  (
    await db.pool.query(
      `SELECT (SELECT count(*)::int FROM events WHERE organization_id = $1) AS events,
              (SELECT json_agg(d ORDER BY d.id) FROM dependencies d WHERE organization_id = $1) AS rows`,
      [org.organizationId],
    )
  ).rows[0];

const expectRejected = rejectsWritingNothing(footprint);

/** Given two teams of a fresh organization and an open dependency between them. */
async function openDependency(status: 'OK' | 'SLOWING' | 'BLOCKING' = 'OK') {
  const org = await newOrganization(db);
  const [checkout, payments] = [await team(org, 'Checkout'), await team(org, 'Payments')];
  const declared = await org.run(declareDependency, {
    fromTeamId: checkout,
    toTeamId: payments,
    mode: 'X_AS_A_SERVICE',
    status,
  });
  return { org, checkout, payments, dependencyId: declared.result.dependencyId, declared };
}

describe('declareDependency', () => {
  it('declares an open dependency with the defaults', async () => {
    const org = await newOrganization(db);
    const [checkout, payments] = [await team(org, 'Checkout'), await team(org, 'Payments')];
    const outcome = await org.run(declareDependency, {
      fromTeamId: checkout,
      toTeamId: payments,
      mode: 'COLLABORATION',
    });
    const { dependencyId } = outcome.result;
    expect(outcome.events.map((e) => [e.type, e.streamId, e.streamVersion, e.data])).toEqual([
      [
        'DependencyDeclared',
        `dependency-${dependencyId}`,
        1,
        {
          dependencyId,
          fromTeamId: checkout,
          toTeamId: payments,
          mode: 'COLLABORATION',
          description: null,
          status: 'OK',
          discoveredLate: false,
          expectedDurationDays: null,
        },
      ],
    ]);
    const at = outcome.events[0]!.occurredAt;
    expect(await dependencyRow(dependencyId)).toEqual({
      organization_id: org.organizationId,
      from_team_id: checkout,
      to_team_id: payments,
      mode: 'COLLABORATION',
      description: null,
      status: 'OK',
      discovered_late: false,
      expected_duration_days: null,
      declared_at: at,
      status_since: at,
      resolved_at: null,
      version: 1,
    });
  });

  it('keeps every given detail, back-dated', async () => {
    const org = await newOrganization(db);
    const [checkout, payments] = [await team(org, 'Checkout'), await team(org, 'Payments')];
    const occurredAt = day(150);
    const outcome = await org.run(
      declareDependency,
      {
        fromTeamId: checkout,
        toTeamId: payments,
        mode: 'FACILITATING',
        description: 'Payments coaches Checkout on PCI scope',
        status: 'BLOCKING',
        discoveredLate: true,
        expectedDurationDays: 21,
      },
      { occurredAt },
    );
    expect(await dependencyRow(outcome.result.dependencyId)).toMatchObject({
      mode: 'FACILITATING',
      description: 'Payments coaches Checkout on PCI scope',
      status: 'BLOCKING',
      discovered_late: true,
      expected_duration_days: 21,
      declared_at: occurredAt,
      status_since: occurredAt,
    });
  });

  it('treats unknown teams and other organizations’ teams as not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const ours = await team(org, 'Team');
    const theirs = await team(other, 'Team');
    for (const [fromTeamId, toTeamId] of [
      [ours, UNKNOWN_ID],
      [UNKNOWN_ID, ours],
      [ours, theirs],
      [theirs, ours],
    ]) {
      await expectRejected(
        org,
        () => org.run(declareDependency, { fromTeamId, toTeamId, mode: 'COLLABORATION' }),
        NotFoundError,
      );
    }
  });

  it('refuses an archived team on either side', async () => {
    const org = await newOrganization(db);
    const [active, archived] = [await team(org, 'Team'), await team(org, 'Legacy')];
    await org.run(archiveTeam, { teamId: archived });
    for (const [fromTeamId, toTeamId] of [
      [active, archived],
      [archived, active],
    ]) {
      await expectRejected(
        org,
        () => org.run(declareDependency, { fromTeamId, toTeamId, mode: 'X_AS_A_SERVICE' }),
        ConflictError,
      );
    }
  });

  it('rejects a team depending on itself and malformed input, writing nothing', async () => {
    const org = await newOrganization(db);
    const [a, b] = [await team(org, 'Team A'), await team(org, 'Team B')];
    for (const input of [
      { fromTeamId: a, toTeamId: a, mode: 'COLLABORATION' },
      { fromTeamId: a, toTeamId: b },
      { fromTeamId: a, toTeamId: b, mode: 'PAIRING' },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', status: 'STUCK' },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', discoveredLate: 'yes' },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', expectedDurationDays: 0 },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', expectedDurationDays: 3651 },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', expectedDurationDays: 1.5 },
      { fromTeamId: a, toTeamId: b, mode: 'COLLABORATION', description: 'x'.repeat(10_001) },
      { fromTeamId: 'checkout', toTeamId: b, mode: 'COLLABORATION' },
    ]) {
      await expectRejected(org, () => org.run(declareDependency, input), ValidationError);
    }
  });
});

describe('changeDependencyStatus', () => {
  it('moves the status, and a change to the current status appends nothing', async () => {
    const { org, dependencyId, declared } = await openDependency();
    const changed = await org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' });
    expect(changed.result).toEqual({ dependencyId });
    expect(changed.events.map((e) => [e.type, e.data, e.streamVersion])).toEqual([
      ['DependencyStatusChanged', { dependencyId, status: 'BLOCKING', previousStatus: 'OK' }, 2],
    ]);
    expect(await dependencyRow(dependencyId)).toMatchObject({
      status: 'BLOCKING',
      declared_at: declared.events[0]!.occurredAt,
      status_since: changed.events[0]!.occurredAt,
      version: 2,
    });
    const same = await org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' });
    expect(same.events).toEqual([]);
    expect(same.position).toBe(changed.position);
  });

  it('accepts a back-dated change after the last one, and refuses one dated before it', async () => {
    const org = await newOrganization(db);
    const [checkout, payments] = [await team(org, 'Checkout'), await team(org, 'Payments')];
    const { dependencyId } = (
      await org.run(
        declareDependency,
        { fromTeamId: checkout, toTeamId: payments, mode: 'COLLABORATION' },
        { occurredAt: day(1) },
      )
    ).result;
    await org.run(changeDependencyStatus, { dependencyId, status: 'SLOWING' }, { occurredAt: day(10) });
    expect(await dependencyRow(dependencyId)).toMatchObject({ status: 'SLOWING', status_since: day(10) });
    await expectRejected(
      org,
      () => org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' }, { occurredAt: day(5) }),
      ConflictError,
    );
    await expectRejected(
      org,
      () => org.run(resolveDependency, { dependencyId }, { occurredAt: day(9) }),
      ConflictError,
    );
  });

  it('refuses a resolved dependency', async () => {
    const { org, dependencyId } = await openDependency('SLOWING');
    await org.run(resolveDependency, { dependencyId });
    await expectRejected(org, () => org.run(changeDependencyStatus, { dependencyId, status: 'OK' }), ConflictError);
  });

  it('treats unknown dependencies and other organizations’ ones as not found', async () => {
    const { dependencyId: theirs } = await openDependency();
    const org = await newOrganization(db);
    for (const dependencyId of [UNKNOWN_ID, theirs]) {
      await expectRejected(
        org,
        () => org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' }),
        NotFoundError,
      );
    }
    expect(await dependencyRow(theirs)).toMatchObject({ status: 'OK', version: 1 });
  });

  it('rejects an unknown status and honours expectedVersion', async () => {
    const { org, dependencyId } = await openDependency();
    await expectRejected(org, () => org.run(changeDependencyStatus, { dependencyId, status: 'FINE' }), ValidationError);
    await expectRejected(
      org,
      () => org.run(changeDependencyStatus, { dependencyId, status: 'SLOWING' }, { expectedVersion: 3 }),
      ConcurrencyError,
    );
    const pinned = await org.run(changeDependencyStatus, { dependencyId, status: 'SLOWING' }, { expectedVersion: 1 });
    expect(pinned.events).toHaveLength(1);
  });
});

describe('resolveDependency', () => {
  it('resolves an open dependency', async () => {
    const { org, dependencyId } = await openDependency('BLOCKING');
    const resolved = await org.run(resolveDependency, { dependencyId }, { reason: 'API shipped' });
    expect(resolved.result).toEqual({ dependencyId });
    expect(resolved.events.map((e) => [e.type, e.data, e.streamVersion, e.metadata])).toEqual([
      ['DependencyResolved', { dependencyId }, 2, { actor: 'test', reason: 'API shipped' }],
    ]);
    expect(await dependencyRow(dependencyId)).toMatchObject({
      status: 'BLOCKING',
      resolved_at: resolved.events[0]!.occurredAt,
      version: 2,
    });
  });

  it('refuses to resolve twice', async () => {
    const { org, dependencyId } = await openDependency();
    await org.run(resolveDependency, { dependencyId });
    await expectRejected(org, () => org.run(resolveDependency, { dependencyId }), ConflictError);
  });

  it('treats unknown dependencies and other organizations’ ones as not found', async () => {
    const { dependencyId: theirs } = await openDependency();
    const org = await newOrganization(db);
    for (const dependencyId of [UNKNOWN_ID, theirs]) {
      await expectRejected(org, () => org.run(resolveDependency, { dependencyId }), NotFoundError);
    }
    expect(await dependencyRow(theirs)).toMatchObject({ resolved_at: null, version: 1 });
  });
});
