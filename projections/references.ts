// Which objects each event touched (event_references): the read model behind
// Team.history, Person.history and Responsibility.history. An event touches
// the aggregate of its own stream and every object its data names, so a
// membership (recorded on the team's stream) is also in the person's history,
// an assignment in the owner's, a ratification in each ratifier's.
//
// SUBJECTS below lists, for every event type, the fields that name subjects:
// its type requires an entry per type, so a new event type does not compile
// until someone decides what it touches (and a unit test checks the catalogue
// against it too). The tenant (`organizationId`) is never a subject.
//
// A few events touch objects they do not name; those are read from the rows
// as they stand before the event is applied, which is why this projection
// runs first (see projections/index.ts):
// - DependencyStatusChanged, DependencyResolved: the dependency's two teams.
// - AgreementRatified: the responsibilities of the ratified agreement version.
// - AssetRevised: the teams and value streams a revision unlinks (the event
//   only carries the new lists).
import type { DomainEvent, DomainEventType } from '../events/index.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { type DomainRecord, defineProjection, streamEntityId } from './projection.ts';
import { agreements, assets, dependencies, eventReferences } from './tables.ts';

type Id = string | null | undefined;
type EventOfType<Type extends DomainEventType> = DomainRecord<Extract<DomainEvent, { type: Type }>>;
type DataOf<Type extends DomainEventType> = Extract<DomainEvent, { type: Type }>['data'];

export type SubjectEntry<Type extends DomainEventType> = {
  /** Whether the aggregate of the event's own stream is a subject (not for the organization's streams). */
  stream: boolean;
  /** The ids the event's data names. */
  named: (data: DataOf<Type>) => readonly Id[];
  /** Subjects read from the rows before the event applies (objects the event touches without naming them). */
  related?: (ws: WorkingSet, event: EventOfType<Type>) => Promise<readonly Id[]>;
};

type SubjectMap = { readonly [Type in DomainEventType]: SubjectEntry<Type> };

const none = () => [];

/** Every event type and the objects it touches. */
export const SUBJECTS: SubjectMap = {
  // Organization streams: the tenant itself, which has no history field here.
  OrganizationCreated: { stream: false, named: none },
  GrowthPhaseChanged: { stream: false, named: none },
  FrictionThresholdsSet: { stream: false, named: none },
  FrictionTimersFired: { stream: false, named: none },

  // person-<id>
  PersonRegistered: { stream: true, named: (d) => [d.personId, d.managerId] },
  ReportingLineChanged: { stream: true, named: (d) => [d.personId, d.managerId, d.previousManagerId] },
  FirstTeamChosen: { stream: true, named: (d) => [d.personId, d.teamId, d.previousTeamId] },
  FirstTeamCleared: { stream: true, named: (d) => [d.personId, d.teamId] },
  PersonSkillsChanged: { stream: true, named: (d) => [d.personId] },
  PersonOffboarded: { stream: true, named: (d) => [d.personId] },

  // team-<id>
  TeamFormed: { stream: true, named: (d) => [d.teamId, d.valueStreamId, d.parentTeamId] },
  TeamRenamed: { stream: true, named: (d) => [d.teamId] },
  TeamAligned: { stream: true, named: (d) => [d.teamId, d.valueStreamId, d.previousValueStreamId] },
  TeamParentChanged: { stream: true, named: (d) => [d.teamId, d.parentTeamId, d.previousParentTeamId] },
  TeamArchived: { stream: true, named: (d) => [d.teamId] },
  TeamMemberAdded: { stream: true, named: (d) => [d.teamId, d.personId] },
  MembershipChanged: { stream: true, named: (d) => [d.teamId, d.personId] },
  TeamMemberRemoved: { stream: true, named: (d) => [d.teamId, d.personId] },
  AgreementDrafted: { stream: true, named: (d) => [d.teamId, ...d.responsibilityIds] },
  AgreementRatified: {
    stream: true,
    named: (d) => [d.teamId, ...d.ratifiedBy],
    related: async (ws, event) =>
      (await ws.where(agreements, { teamId: event.data.teamId })).find(
        (agreement) => agreement.version === event.data.version,
      )?.responsibilityIds ?? [],
  },
  AgreementRevisited: { stream: true, named: (d) => [d.teamId] },
  InvestmentMixPlanned: { stream: true, named: (d) => [d.teamId] },
  InvestmentMixReported: { stream: true, named: (d) => [d.teamId] },
  DeliveryMetricsRecorded: { stream: true, named: (d) => [d.teamId] },

  // value-stream-<id>
  ValueStreamDefined: { stream: true, named: (d) => [d.valueStreamId, d.parentId] },
  ValueStreamRetired: { stream: true, named: (d) => [d.valueStreamId] },

  // responsibility-<id>
  ResponsibilityDefined: { stream: true, named: (d) => [d.responsibilityId] },
  ResponsibilityAssigned: { stream: true, named: (d) => [d.responsibilityId, d.owner.id, d.previousOwner?.id] },
  ResponsibilityUnassigned: { stream: true, named: (d) => [d.responsibilityId, d.previousOwner.id] },

  // dependency-<id>
  DependencyDeclared: { stream: true, named: (d) => [d.dependencyId, d.fromTeamId, d.toTeamId] },
  DependencyStatusChanged: { stream: true, named: (d) => [d.dependencyId], related: dependencyTeams },
  DependencyResolved: { stream: true, named: (d) => [d.dependencyId], related: dependencyTeams },

  // asset-<id>
  AssetPublished: { stream: true, named: (d) => [d.assetId, ...d.teamIds, ...d.valueStreamIds] },
  AssetRevised: {
    stream: true,
    named: (d) => [d.assetId, ...(d.changes.teamIds ?? []), ...(d.changes.valueStreamIds ?? [])],
    related: async (ws, event) => {
      const { changes } = event.data;
      if (changes.teamIds === undefined && changes.valueStreamIds === undefined) return [];
      const asset = await ws.get(assets, { id: event.data.assetId });
      if (!asset) return [];
      // The lists before the revision: the links it removes touch those objects too.
      return [
        ...(changes.teamIds === undefined ? [] : asset.teamIds),
        ...(changes.valueStreamIds === undefined ? [] : asset.valueStreamIds),
      ];
    },
  },

  // interaction-<id>, handoff-<id>
  InteractionRecorded: { stream: true, named: (d) => [d.interactionId, ...d.teamIds] },
  HandoffRecorded: { stream: true, named: (d) => [d.handoffId, d.teamId] },
};

async function dependencyTeams(
  ws: WorkingSet,
  event: EventOfType<'DependencyStatusChanged' | 'DependencyResolved'>,
): Promise<readonly Id[]> {
  const dependency = await ws.get(dependencies, { id: event.data.dependencyId });
  return dependency ? [dependency.fromTeamId, dependency.toTeamId] : [];
}

/** The distinct ids of the objects an event touches, in a stable order. */
export async function subjectsOf(ws: WorkingSet, event: DomainRecord): Promise<string[]> {
  const entry = SUBJECTS[event.type] as SubjectEntry<DomainEventType> | undefined;
  if (!entry) throw new Error(`event_references: no subject entry for event type ${event.type}`);
  const ids: Id[] = [];
  if (entry.stream) ids.push(streamEntityId(event.streamId));
  ids.push(...entry.named(event.data as never));
  if (entry.related) ids.push(...(await entry.related(ws, event as never)));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];
}

type Handlers = { [Type in DomainEventType]: (ws: WorkingSet, event: EventOfType<Type>) => Promise<void> };

async function reference(ws: WorkingSet, event: DomainRecord): Promise<void> {
  for (const subjectId of await subjectsOf(ws, event)) {
    ws.put(eventReferences, { organizationId: event.organizationId, subjectId, position: event.position });
  }
}

const handlers = Object.fromEntries(Object.keys(SUBJECTS).map((type) => [type, reference])) as unknown as Handlers;

export const referencesProjection = defineProjection({ name: 'references', handlers });
