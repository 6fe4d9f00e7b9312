// Responsibilities and their ownership ledger: the intervals [from, to) of
// org time during which a person or a team owned each one, with the reason
// and actor of the change that started the interval.
import type { Owner } from '../events/common.ts';
import { current, inOrgTime, intervals } from '../src/domain/timeline.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { type DomainRecord, defineProjection, stamped } from './projection.ts';
import { ownershipIntervals, responsibilities } from './tables.ts';
import { addChangePoint } from './timeline.ts';

type Ownership = { owner: Owner; reason: string | null; actor: string | null };

async function recordOwner(ws: WorkingSet, event: DomainRecord, owner: Owner | null) {
  const responsibilityId = (event.data as { responsibilityId: string }).responsibilityId;
  const responsibility = await ws.get(responsibilities, { id: responsibilityId });
  if (!responsibility) return;
  const value: Ownership | null = owner
    ? { owner, reason: event.metadata.reason ?? null, actor: event.metadata.actor ?? null }
    : null;
  const points = await addChangePoint(ws, `ownership:${responsibilityId}`, event, value);
  // A reassignment to the same owner is a new interval: the ledger records every hand-over.
  const ledger = intervals(points, () => false);
  const existing = await ws.where(ownershipIntervals, { responsibilityId });
  const kept = new Set(ledger.map((interval) => interval.id));
  for (const row of existing) if (!kept.has(row.id)) ws.delete(ownershipIntervals, { id: row.id });
  for (const interval of ledger) {
    ws.put(ownershipIntervals, {
      id: interval.id,
      organizationId: event.organizationId,
      responsibilityId,
      ownerKind: interval.value.owner.kind,
      ownerId: interval.value.owner.id,
      from: interval.from,
      to: interval.to,
      reason: interval.value.reason,
      actor: interval.value.actor,
      position: interval.position,
    });
  }
  const now = current(points);
  const latest = inOrgTime(points).at(-1)!;
  ws.put(
    responsibilities,
    stamped(
      {
        ...responsibility,
        ownerPersonId: now?.owner.kind === 'PERSON' ? now.owner.id : null,
        ownerTeamId: now?.owner.kind === 'TEAM' ? now.owner.id : null,
        ownedSince: latest.occurredAt,
      },
      event,
    ),
  );
}

export const responsibilitiesProjection = defineProjection({
  name: 'responsibilities',
  handlers: {
    ResponsibilityDefined: async (ws, event) => {
      ws.put(responsibilities, {
        id: event.data.responsibilityId,
        organizationId: event.organizationId,
        title: event.data.title,
        description: event.data.description,
        category: event.data.category,
        ownerPersonId: null,
        ownerTeamId: null,
        ownedSince: event.occurredAt,
        definedAt: event.occurredAt,
        version: event.streamVersion,
        position: event.position,
      });
    },
    ResponsibilityAssigned: (ws, event) => recordOwner(ws, event, event.data.owner),
    ResponsibilityUnassigned: (ws, event) => recordOwner(ws, event, null),
  },
});
