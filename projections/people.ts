import type { Person } from '../src/generated/prisma/client.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { type DomainRecord, defineProjection, stamped } from './projection.ts';
import { people } from './tables.ts';

async function update(ws: WorkingSet, event: DomainRecord, change: (person: Person) => Partial<Person>) {
  const personId = (event.data as { personId: string }).personId;
  const person = await ws.get(people, { id: personId });
  if (person) ws.put(people, stamped({ ...person, ...change(person) }, event));
}

export const peopleProjection = defineProjection({
  name: 'people',
  handlers: {
    PersonRegistered: async (ws, event) => {
      ws.put(people, {
        id: event.data.personId,
        organizationId: event.organizationId,
        name: event.data.name,
        email: event.data.email,
        discipline: event.data.discipline,
        skills: event.data.skills,
        managerId: event.data.managerId,
        firstTeamId: null,
        registeredAt: event.occurredAt,
        offboardedAt: null,
        version: event.streamVersion,
        position: event.position,
      });
    },
    ReportingLineChanged: (ws, event) => update(ws, event, () => ({ managerId: event.data.managerId })),
    FirstTeamChosen: (ws, event) => update(ws, event, () => ({ firstTeamId: event.data.teamId })),
    FirstTeamCleared: (ws, event) => update(ws, event, () => ({ firstTeamId: null })),
    PersonSkillsChanged: (ws, event) => update(ws, event, () => ({ skills: event.data.skills })),
    PersonOffboarded: (ws, event) => update(ws, event, () => ({ offboardedAt: event.occurredAt })),
  },
});
