// orgDiff(from, to) (API.md): what changed between two moments of org time,
// each change with its event position. ANALYST or ADMIN, like the log itself.
import { type OrgChange as Change, ORG_CHANGE_KINDS, ORG_DIFF_LIMIT, orgDiff } from '../../src/audit/orgDiff.ts';
import { organizationOf } from '../../src/auth/tokens.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { loadByIds } from '../loaders.ts';
import { Owner } from './responsibility.ts';

const OrgChangeKind = builder.enumType('OrgChangeKind', { values: ORG_CHANGE_KINDS });

type Model = 'team' | 'person' | 'responsibility';

/** A Team, Person or Responsibility of the caller's organization by id, batched per request. */
async function one(context: GraphQLContext, model: Model, query: object, id: string | null | undefined) {
  if (!id) return null;
  const [row] = await loadByIds(context, model, query, [id], organizationOf(context.viewer));
  return row ?? null;
}

const OrgChange = builder.objectRef<Change>('OrgChange').implement({
  description: 'One change between two moments of org time. Which fields are set depends on its kind.',
  fields: (t) => {
    const related = (
      model: Model,
      type: 'Team' | 'Person' | 'Responsibility',
      pick: (change: Change) => string | null | undefined,
      description: string,
    ) =>
      t.prismaField({
        type,
        nullable: true,
        description,
        resolve: (query, change, _args, context) => one(context, model, query, pick(change)) as never,
      });
    const owner = (pick: (change: Change) => Change['toOwner']) =>
      t.field({
        type: Owner,
        nullable: true,
        resolve: async (change, _args, context) => {
          const ref = pick(change);
          if (!ref) return null;
          return (await one(context, ref.kind === 'PERSON' ? 'person' : 'team', {}, ref.id)) as never;
        },
      });
    return {
      kind: t.field({ type: OrgChangeKind, resolve: (change) => change.kind }),
      position: t.field({ type: 'Position', description: 'The event of the change.', resolve: (c) => c.position }),
      positions: t.field({
        type: ['Position'],
        description: 'Every event behind the change (a move: the leave and the join).',
        resolve: (change) => change.positions,
      }),
      occurredAt: t.field({ type: 'DateTime', description: 'Org time.', resolve: (change) => change.occurredAt }),
      team: related(
        'team',
        'Team',
        (c) => c.teamId,
        'The team formed, renamed, archived, joined or left, or whose agreement was ratified.',
      ),
      person: related(
        'person',
        'Person',
        (c) => c.personId,
        'The person who joined, moved, left or changed first team or manager.',
      ),
      responsibility: related(
        'responsibility',
        'Responsibility',
        (c) => c.responsibilityId,
        'The responsibility that changed hands.',
      ),
      fromTeam: related('team', 'Team', (c) => c.fromTeamId, 'The team left, or the previous first team.'),
      toTeam: related('team', 'Team', (c) => c.toTeamId, 'The team joined, or the new first team.'),
      fromManager: related('person', 'Person', (c) => c.fromManagerId, 'The previous manager.'),
      toManager: related('person', 'Person', (c) => c.toManagerId, 'The new manager.'),
      fromOwner: owner((change) => change.fromOwner),
      toOwner: owner((change) => change.toOwner),
      name: t.string({
        nullable: true,
        description: 'A new team’s or person’s name; a renamed team’s new name.',
        resolve: (c) => c.name ?? null,
      }),
      previousName: t.string({ nullable: true, resolve: (change) => change.previousName ?? null }),
      agreementVersion: t.int({
        nullable: true,
        description: 'The version ratified.',
        resolve: (c) => c.version ?? null,
      }),
    };
  },
});

type Diff = { from: Date; to: Date; changes: Change[]; truncated: boolean };

const OrgDiff = builder.objectRef<Diff>('OrgDiff').implement({
  fields: (t) => ({
    from: t.field({ type: 'DateTime', resolve: (diff) => diff.from }),
    to: t.field({ type: 'DateTime', resolve: (diff) => diff.to }),
    changes: t.field({
      type: [OrgChange],
      description: `Every change with from < occurredAt ≤ to, in org-time order (at most ${ORG_DIFF_LIMIT}).`,
      resolve: (diff) => diff.changes,
    }),
    truncated: t.boolean({
      description: 'More changes happened than were returned: narrow the window.',
      resolve: (diff) => diff.truncated,
    }),
  }),
});

builder.queryField('orgDiff', (t) =>
  t.field({
    type: OrgDiff,
    description: 'What changed in your organization between two moments of org time. ANALYST or ADMIN.',
    authScopes: { analyst: true },
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
    },
    resolve: async (_root, { from, to }, context) => {
      if (from.getTime() >= to.getTime()) throw badInput('`from` must be before `to`', { field: 'from' });
      const diff = await orgDiff(context.store, organizationOf(context.viewer), from, to);
      return { from, to, ...diff };
    },
  }),
);
