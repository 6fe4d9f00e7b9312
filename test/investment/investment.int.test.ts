// Given/when/then for the investment mix: planned and actual shares per team
// and period, four integers that sum to exactly 100.
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { planInvestmentMix, reportInvestmentMix } from '../../src/investment/investment.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { eventCount, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const mix = { features: 60, techDebt: 20, runway: 15, developerExperience: 5 };

describe('planning and reporting a mix', () => {
  it('records planned and actual shares per period; a later statement replaces the period’s mix', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');

    const planned = await org.run(planInvestmentMix, { teamId: payments, period: '2026-Q4', ...mix });
    expect(planned.result).toEqual({ teamId: payments });
    expect(planned.events.map((e) => [e.type, e.data])).toEqual([
      ['InvestmentMixPlanned', { teamId: payments, period: '2026-Q4', ...mix }],
    ]);
    const reported = await org.run(reportInvestmentMix, {
      teamId: payments,
      period: '2026-Q4',
      features: 85,
      techDebt: 10,
      runway: 5,
      developerExperience: 0,
    });
    expect(reported.events.map((e) => e.type)).toEqual(['InvestmentMixReported']);
    await org.run(planInvestmentMix, { teamId: payments, period: '2026-11', ...mix });
    await org.run(planInvestmentMix, {
      teamId: payments,
      period: '2026-11',
      features: 50,
      techDebt: 50,
      runway: 0,
      developerExperience: 0,
    });

    expect(
      await rows(
        db,
        `SELECT period, kind, features, tech_debt, runway, developer_experience FROM investment_mixes
         WHERE team_id = $1 ORDER BY period, kind`,
        [payments],
      ),
    ).toEqual([
      { period: '2026-11', kind: 'PLANNED', features: 50, tech_debt: 50, runway: 0, developer_experience: 0 },
      { period: '2026-Q4', kind: 'ACTUAL', features: 85, tech_debt: 10, runway: 5, developer_experience: 0 },
      { period: '2026-Q4', kind: 'PLANNED', features: 60, tech_debt: 20, runway: 15, developer_experience: 5 },
    ]);
    expect(await rows(db, 'SELECT version FROM teams WHERE id = $1', [payments])).toEqual([{ version: 5 }]);
  });
});

describe('rejections write nothing', () => {
  it('shares that do not sum to exactly 100, that are not integers 0..100, or a bad period', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const before = await eventCount(db);
    const bad = [
      { ...mix, features: 61 },
      { ...mix, features: 59 },
      { features: 0, techDebt: 0, runway: 0, developerExperience: 0 },
      { features: 110, techDebt: -10, runway: 0, developerExperience: 0 },
      { features: 59.5, techDebt: 20.5, runway: 15, developerExperience: 5 },
      { features: 100, techDebt: 0, runway: 0 },
    ];
    for (const command of [planInvestmentMix, reportInvestmentMix]) {
      for (const shares of bad) {
        const error = await rejection(() => org.run(command, { teamId: payments, period: '2026-Q4', ...shares }));
        expect(error).toBeInstanceOf(ValidationError);
      }
      for (const period of ['2026-Q5', '2026-13', '2026', 'Q4-2026']) {
        expect(await rejection(() => org.run(command, { teamId: payments, period, ...mix }))).toBeInstanceOf(
          ValidationError,
        );
      }
    }
    const error = await rejection(() =>
      org.run(planInvestmentMix, { teamId: payments, period: '2026-Q4', ...mix, features: 61 }),
    );
    expect((error as Error).message).toContain('must sum to 100, not 101');
    expect(await eventCount(db)).toBe(before);
  });

  it('a team of another organization is not found; an archived team is a conflict', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const theirs = await team(other, 'Payments');
    const archived = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: archived });
    const before = await eventCount(db);
    for (const command of [planInvestmentMix, reportInvestmentMix]) {
      expect(await rejection(() => org.run(command, { teamId: theirs, period: '2026-Q4', ...mix }))).toBeInstanceOf(
        NotFoundError,
      );
      expect(await rejection(() => org.run(command, { teamId: archived, period: '2026-Q4', ...mix }))).toBeInstanceOf(
        ConflictError,
      );
    }
    expect(await eventCount(db)).toBe(before);
  });
});
