// What changed in an organization between two moments of org time: teams
// formed, renamed, archived; people who joined, moved team, changed first
// team or manager, left; responsibilities that changed hands; agreements
// ratified. Read from the log itself (every event whose occurredAt falls in
// the window, back-dated ones included), each change with its event position.
import { type EventStore, MAX_READ } from '../eventStore/eventStore.ts';
import type { RecordedEvent } from '../eventStore/types.ts';

export const ORG_CHANGE_KINDS = [
  'TEAM_FORMED',
  'TEAM_RENAMED',
  'TEAM_ARCHIVED',
  'PERSON_JOINED',
  'PERSON_LEFT',
  'PERSON_JOINED_TEAM',
  'PERSON_LEFT_TEAM',
  'PERSON_MOVED_TEAM',
  'FIRST_TEAM_CHANGED',
  'MANAGER_CHANGED',
  'RESPONSIBILITY_CHANGED_HANDS',
  'AGREEMENT_RATIFIED',
] as const;
export type OrgChangeKind = (typeof ORG_CHANGE_KINDS)[number];

export type OwnerRef = { kind: 'PERSON' | 'TEAM'; id: string };

export type OrgChange = {
  kind: OrgChangeKind;
  /** The event of the change (for a move: the join). */
  position: bigint;
  /** Every event behind the change (a move: the leave and the join). */
  positions: bigint[];
  occurredAt: Date;
  teamId?: string;
  personId?: string;
  responsibilityId?: string;
  fromTeamId?: string | null;
  toTeamId?: string | null;
  fromManagerId?: string | null;
  toManagerId?: string | null;
  fromOwner?: OwnerRef | null;
  toOwner?: OwnerRef | null;
  name?: string;
  previousName?: string;
  version?: number;
};

/** The event types a diff reads. */
const TYPES = [
  'TeamFormed',
  'TeamRenamed',
  'TeamArchived',
  'PersonRegistered',
  'PersonOffboarded',
  'TeamMemberAdded',
  'TeamMemberRemoved',
  'FirstTeamChosen',
  'FirstTeamCleared',
  'ReportingLineChanged',
  'ResponsibilityAssigned',
  'ResponsibilityUnassigned',
  'AgreementRatified',
];

export const ORG_DIFF_LIMIT = 5_000;
const PAGE = MAX_READ;

export type OrgDiff = { changes: OrgChange[]; truncated: boolean };

/** The changes with from < occurredAt ≤ to, in org-time order (then position). */
export async function orgDiff(store: EventStore, organizationId: string, from: Date, to: Date): Promise<OrgDiff> {
  const events: RecordedEvent[] = [];
  const filter = { types: TYPES, occurredAfter: from, occurredBefore: new Date(to.getTime() + 1) };
  // The whole window, not the first changes of it: moves pair a person's
  // leave and join anywhere in the window. Read in pages of the store's
  // largest size (a long window of a large organization is many events).
  for (let position = 0n; ; ) {
    const batch = await store.readAll(organizationId, { from: position, limit: PAGE, filter });
    for (const event of batch) events.push(event);
    if (batch.length < PAGE) break;
    position = batch.at(-1)!.position;
  }
  events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.position < b.position ? -1 : 1));
  const changes = changesOf(events);
  return { changes: changes.slice(0, ORG_DIFF_LIMIT), truncated: changes.length > ORG_DIFF_LIMIT };
}

/** Events (in org-time order) as changes; a leave and a join of one person in one command are a move. */
export function changesOf(events: readonly RecordedEvent[]): OrgChange[] {
  const changes: OrgChange[] = [];
  const base = (event: RecordedEvent, kind: OrgChangeKind): OrgChange => ({
    kind,
    position: event.position,
    positions: [event.position],
    occurredAt: event.occurredAt,
  });
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    const id = (field: string) => data[field] as string;
    switch (event.type) {
      case 'TeamFormed':
        changes.push({ ...base(event, 'TEAM_FORMED'), teamId: id('teamId'), name: id('name') });
        break;
      case 'TeamRenamed':
        changes.push({
          ...base(event, 'TEAM_RENAMED'),
          teamId: id('teamId'),
          name: id('name'),
          previousName: id('previousName'),
        });
        break;
      case 'TeamArchived':
        changes.push({ ...base(event, 'TEAM_ARCHIVED'), teamId: id('teamId') });
        break;
      case 'PersonRegistered':
        changes.push({ ...base(event, 'PERSON_JOINED'), personId: id('personId'), name: id('name') });
        break;
      case 'PersonOffboarded':
        changes.push({ ...base(event, 'PERSON_LEFT'), personId: id('personId') });
        break;
      case 'TeamMemberAdded':
        changes.push({
          ...base(event, 'PERSON_JOINED_TEAM'),
          personId: id('personId'),
          teamId: id('teamId'),
          toTeamId: id('teamId'),
        });
        break;
      case 'TeamMemberRemoved':
        changes.push({
          ...base(event, 'PERSON_LEFT_TEAM'),
          personId: id('personId'),
          teamId: id('teamId'),
          fromTeamId: id('teamId'),
        });
        break;
      case 'FirstTeamChosen':
        changes.push({
          ...base(event, 'FIRST_TEAM_CHANGED'),
          personId: id('personId'),
          fromTeamId: (data.previousTeamId as string | null) ?? null,
          toTeamId: id('teamId'),
        });
        break;
      case 'FirstTeamCleared':
        changes.push({
          ...base(event, 'FIRST_TEAM_CHANGED'),
          personId: id('personId'),
          fromTeamId: id('teamId'),
          toTeamId: null,
        });
        break;
      case 'ReportingLineChanged':
        changes.push({
          ...base(event, 'MANAGER_CHANGED'),
          personId: id('personId'),
          fromManagerId: (data.previousManagerId as string | null) ?? null,
          toManagerId: (data.managerId as string | null) ?? null,
        });
        break;
      case 'ResponsibilityAssigned':
        changes.push({
          ...base(event, 'RESPONSIBILITY_CHANGED_HANDS'),
          responsibilityId: id('responsibilityId'),
          fromOwner: (data.previousOwner as OwnerRef | null) ?? null,
          toOwner: data.owner as OwnerRef,
        });
        break;
      case 'ResponsibilityUnassigned':
        changes.push({
          ...base(event, 'RESPONSIBILITY_CHANGED_HANDS'),
          responsibilityId: id('responsibilityId'),
          fromOwner: data.previousOwner as OwnerRef,
          toOwner: null,
        });
        break;
      case 'AgreementRatified':
        changes.push({ ...base(event, 'AGREEMENT_RATIFIED'), teamId: id('teamId'), version: data.version as number });
        break;
    }
  }
  return withMoves(changes);
}

/**
 * A person who left one team and joined another within the window moved:
 * their leaves and joins are paired in order (different teams only) and each
 * pair becomes one PERSON_MOVED_TEAM, at the later of the two.
 */
function withMoves(changes: OrgChange[]): OrgChange[] {
  const moves = new Map<OrgChange, OrgChange>();
  const paired = new Set<OrgChange>();
  const byPerson = Map.groupBy(
    changes.filter((change) => change.kind === 'PERSON_LEFT_TEAM' || change.kind === 'PERSON_JOINED_TEAM'),
    (change) => change.personId!,
  );
  for (const personChanges of byPerson.values()) {
    const leaves = personChanges.filter((change) => change.kind === 'PERSON_LEFT_TEAM');
    const joins = personChanges.filter((change) => change.kind === 'PERSON_JOINED_TEAM');
    for (const leave of leaves) {
      const join = joins.find((candidate) => !paired.has(candidate) && candidate.toTeamId !== leave.fromTeamId);
      if (!join) continue;
      paired.add(leave);
      paired.add(join);
      const joinedLater =
        join.occurredAt.getTime() - leave.occurredAt.getTime() || (join.position > leave.position ? 1 : -1);
      const later = joinedLater > 0 ? join : leave;
      moves.set(later, {
        kind: 'PERSON_MOVED_TEAM',
        position: later.position,
        positions: [leave.position, join.position].sort((a, b) => (a < b ? -1 : 1)),
        occurredAt: later.occurredAt,
        personId: leave.personId!,
        fromTeamId: leave.fromTeamId!,
        toTeamId: join.toTeamId!,
      });
    }
  }
  return changes.flatMap((change) => moves.get(change) ?? (paired.has(change) ? [] : [change]));
}
