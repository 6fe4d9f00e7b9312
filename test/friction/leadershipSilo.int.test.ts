// LEADERSHIP_SILO: no LEADERSHIP team holding heads of product, design and
// technology once the organization is past EXPERIMENTING (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { changeGrowthPhase } from '../../src/organization/organization.ts';
import { offboardPerson } from '../../src/people/people.ts';
import { addTeamMember, archiveTeam, formTeam, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { person, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'LEADERSHIP_SILO';

/** Registers a person of `discipline` and adds them to the team; returns the person and the membership outcome. */
async function join(org: Commands, teamId: string, name: string, discipline: string) {
  const personId = await person(org, name, { discipline });
  const added = await org.run(addTeamMember, { teamId, personId, role: `Head of ${discipline}`, allocation: 50 });
  return { personId, added };
}

/** A leadership team holding all three heads. */
async function fullLeadership(org: Commands, name = 'Leadership') {
  const teamId = await team(org, name, 'LEADERSHIP');
  const heads = {
    product: await join(org, teamId, 'Pat', 'PRODUCT'),
    design: await join(org, teamId, 'Dee', 'DESIGN'),
    technology: await join(org, teamId, 'Tess', 'ENGINEERING'),
  };
  return { teamId, heads };
}

describe('LEADERSHIP_SILO', () => {
  it('is open on a new organization past EXPERIMENTING, and follows the leadership team until it is complete', async () => {
    const org = await newOrganization(db); // created in HYPERGROWTH
    const [raised] = await openOn(db, org, KIND, org.organizationId);
    expect(raised).toMatchObject({
      subjectKind: 'ORGANIZATION',
      severity: 'HIGH',
      message: 'Acme is in hypergrowth but has no leadership team holding heads of product, design and technology.',
      evidence: [],
      teamIds: [],
    });

    const leadership = (await org.run(formTeam, { name: 'Leadership', kind: 'LEADERSHIP' })).result.teamId;
    const [formed] = await openOn(db, org, KIND, org.organizationId);
    expect(formed).toMatchObject({
      id: raised!.id,
      severity: 'HIGH',
      message:
        'Acme is in hypergrowth but no leadership team holds heads of product, design and technology: ' +
        'Leadership has no head of product, design or technology.',
      teamIds: [leadership],
    });

    const pat = await join(org, leadership, 'Pat', 'PRODUCT');
    const dee = await join(org, leadership, 'Dee', 'DESIGN');
    const [updated] = await openOn(db, org, KIND, org.organizationId);
    expect(updated).toMatchObject({
      id: raised!.id,
      severity: 'MEDIUM',
      message:
        'Acme is in hypergrowth but no leadership team holds heads of product, design and technology: ' +
        'Leadership has no head of technology.',
      evidence: [...positionsOf(pat.added), ...positionsOf(dee.added)],
      teamIds: [leadership],
    });

    // Heads in a team of another kind do not count.
    const platform = await team(org, 'Platform', 'PLATFORM');
    await join(org, platform, 'Eve', 'ENGINEERING');
    expect(await openOn(db, org, KIND, org.organizationId)).toHaveLength(1);

    const tess = await join(org, leadership, 'Tess', 'ENGINEERING');
    expect(await openOn(db, org, KIND, org.organizationId)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({
      id: raised!.id,
      status: 'RESOLVED',
      resolvedAt: tess.added.events[0]!.occurredAt,
    });
  });

  it('is resolved in EXPERIMENTING and raised again past it', async () => {
    const org = await newOrganization(db);
    expect(await openOn(db, org, KIND, org.organizationId)).toHaveLength(1);
    await org.run(changeGrowthPhase, { phase: 'EXPERIMENTING' });
    expect(await openOn(db, org, KIND, org.organizationId)).toEqual([]);

    await org.run(changeGrowthPhase, { phase: 'GETTING_TRACTION' });
    const [again] = await openOn(db, org, KIND, org.organizationId);
    expect(again!.message).toBe(
      'Acme is in getting traction but has no leadership team holding heads of product, design and technology.',
    );
    expect((await signalsOf(db, org, KIND)).map((signal) => signal.status)).toEqual(['RESOLVED', 'OPEN']);

    await fullLeadership(org);
    expect(await openOn(db, org, KIND, org.organizationId)).toEqual([]);
    await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' });
    expect(await openOn(db, org, KIND, org.organizationId)).toEqual([]);
  });

  it('is raised once when a head is offboarded, and names the leadership team nearest to complete', async () => {
    const org = await newOrganization(db);
    const { teamId, heads } = await fullLeadership(org);
    const product = await team(org, 'Product leadership', 'LEADERSHIP');
    await join(org, product, 'Paula', 'PRODUCT');
    expect(await openOn(db, org, KIND, org.organizationId)).toEqual([]);

    const offboarding = await org.run(offboardPerson, { personId: heads.design.personId });
    const [signal] = await openOn(db, org, KIND, org.organizationId);
    expect(signal).toMatchObject({
      severity: 'MEDIUM',
      message: expect.stringMatching(/: Leadership has no head of design\.$/),
      evidence: [...positionsOf(heads.product.added), ...positionsOf(heads.technology.added)],
      teamIds: [teamId],
    });
    expect((await changesOf(db, org)).filter((change) => change.signal_id === signal!.id)).toMatchObject([
      { change: 'RAISED', position: offboarding.position!.toString() },
    ]);

    await org.run(renameTeam, { teamId, name: 'Exec' });
    expect((await openOn(db, org, KIND, org.organizationId))[0]!.message).toMatch(/: Exec has no head of design\.$/);

    await org.run(archiveTeam, { teamId });
    const [archived] = await openOn(db, org, KIND, org.organizationId);
    expect(archived).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      message: expect.stringMatching(/: Product leadership has no head of design or technology\.$/),
      teamIds: [product],
    });
  });
});
