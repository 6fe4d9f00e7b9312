// A generated org log for benchmarks: deterministic (seeded), shaped like a
// real organization's history (people, teams, membership changes,
// responsibilities changing hands, metrics, interactions, handoffs, mixes),
// as commands: each event belongs to a command of one to three events, which
// a benchmark appends in a transaction of its own, as the service does.
//
// The organization's shape follows what its commands allow and a scaleup
// looks like: teams of at most 9 members, mostly stream-aligned; people in
// one or two teams whose allocations add up to at most 100 %, a first team
// chosen when they join their first team and chosen again when they leave it.
import { v7 as uuidv7 } from 'uuid';
import { handoffStream, interactionStream } from '../events/collaboration.ts';
import type { DomainEvent } from '../events/index.ts';
import { organizationStream } from '../events/organization.ts';
import { personStream } from '../events/person.ts';
import { responsibilityStream } from '../events/responsibility.ts';
import { teamStream } from '../events/team.ts';

/** A tiny deterministic PRNG (mulberry32): the same log on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Generated = {
  streamId: string;
  event: DomainEvent;
  occurredAt: Date;
  /** The command the event belongs to: consecutive events with the same number are one command. */
  command: number;
};

/** Members a team takes at most. */
const TEAM_SIZE = 9;

/** The events of one organization, in order. */
export function* organizationLog(organizationId: string, count: number, seed: number): Generator<Generated> {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const start = Date.UTC(2025, 0, 1);
  let clock = start;
  const tick = () => {
    clock += Math.floor(next() * 600_000);
    return new Date(clock);
  };
  const people: string[] = [];
  const teams: string[] = [];
  const responsibilities: string[] = [];
  const members = new Map<string, Set<string>>();
  /** Per person, their teams with their allocation and role. */
  const teamsOf = new Map<string, Map<string, { allocation: number; role: string }>>();
  const firstTeams = new Map<string, string>();
  /** Per person, their skills (joined); per responsibility, its owner. */
  const skillsOf = new Map<string, string>();
  const owners = new Map<string, { kind: 'PERSON' | 'TEAM'; id: string }>();
  const roles = ['Engineer', 'Product Manager', 'Designer', 'Tech Lead'];
  /** A skills change, unless it changes nothing (the command would append no event). */
  const changeSkills = (personId: string, skills: string[]): Generated | undefined => {
    if (skillsOf.get(personId) === skills.join(',')) return undefined;
    skillsOf.set(personId, skills.join(','));
    return emit(personStream(personId), { type: 'PersonSkillsChanged', data: { personId, skills } });
  };
  let produced = 0;
  let command = 0;
  let at = new Date(clock);
  /** An event of a new command (`more`: of the same command as the previous one). */
  const emit = (streamId: string, event: DomainEvent, more = false): Generated => {
    produced++;
    if (!more) {
      command++;
      at = tick();
    }
    return { streamId, event, occurredAt: at, command };
  };
  yield emit(organizationStream(organizationId), {
    type: 'OrganizationCreated',
    data: { organizationId, name: `Org ${seed}`, slug: `org-${seed}`, growthPhase: 'HYPERGROWTH' },
  });
  while (produced < count) {
    const roll = next();
    if (people.length < 50 || roll < 0.04) {
      const personId = uuidv7();
      people.push(personId);
      teamsOf.set(personId, new Map());
      const skills = ['typescript', 'postgres'].slice(0, Math.floor(next() * 3));
      skillsOf.set(personId, skills.join(','));
      yield emit(personStream(personId), {
        type: 'PersonRegistered',
        data: {
          personId,
          name: `Person ${people.length}`,
          email: `p${people.length}@org${seed}.test`,
          discipline: pick(['PRODUCT', 'ENGINEERING', 'ENGINEERING', 'DESIGN', 'QA', 'DATA'] as const),
          skills,
          managerId: people.length > 1 ? pick(people.slice(0, -1)) : null,
        },
      });
    } else if (teams.length < 8 || roll < 0.046) {
      const teamId = uuidv7();
      teams.push(teamId);
      members.set(teamId, new Set());
      // Mostly stream-aligned; one in ten a platform team, one in ten enabling.
      const kind = teams.length % 10 === 0 ? 'PLATFORM' : teams.length % 10 === 5 ? 'ENABLING' : 'STREAM_ALIGNED';
      yield emit(teamStream(teamId), {
        type: 'TeamFormed',
        data: { teamId, name: `Team ${teams.length}`, kind, valueStreamId: null, parentTeamId: null },
      });
    } else if (responsibilities.length < 20 || roll < 0.066) {
      const responsibilityId = uuidv7();
      responsibilities.push(responsibilityId);
      yield emit(responsibilityStream(responsibilityId), {
        type: 'ResponsibilityDefined',
        data: { responsibilityId, title: `Duty ${responsibilities.length}`, description: null, category: 'GENERAL' },
      });
    } else if (roll < 0.38) {
      const personId = pick(people);
      const own = teamsOf.get(personId)!;
      const used = [...own.values()].reduce((sum, { allocation }) => sum + allocation, 0);
      const role = pick(roles);
      const choice = next();
      // Join a team with room: a first one, or now and then a second.
      let joining: string | undefined;
      if (own.size === 0 || (own.size === 1 && used <= 80 && choice < 0.15)) {
        for (let tries = 0; tries < 5 && !joining; tries++) {
          const teamId = pick(teams);
          if (!own.has(teamId) && members.get(teamId)!.size < TEAM_SIZE) joining = teamId;
        }
      }
      if (joining) {
        const allocation = own.size === 0 ? 50 + 10 * Math.floor(next() * 6) : 100 - used;
        own.set(joining, { allocation, role });
        members.get(joining)!.add(personId);
        yield emit(teamStream(joining), {
          type: 'TeamMemberAdded',
          data: { teamId: joining, personId, role, allocation },
        });
        if (!firstTeams.has(personId)) {
          // Choosing it is a command of its own (chooseFirstTeam), as in the demo seed.
          firstTeams.set(personId, joining);
          yield emit(personStream(personId), {
            type: 'FirstTeamChosen',
            data: { personId, teamId: joining, previousTeamId: null },
          });
        }
      } else if (own.size > 0 && choice < 0.85) {
        const [teamId, current] = pick([...own]);
        const allocation = Math.max(
          10,
          Math.min(100 - (used - current.allocation), 10 * (1 + Math.floor(next() * 10))),
        );
        // A change that changes nothing appends no event: then the role changes.
        const changed =
          allocation === current.allocation && role === current.role
            ? roles[(roles.indexOf(role) + 1) % roles.length]!
            : role;
        own.set(teamId, { allocation, role: changed });
        yield emit(teamStream(teamId), {
          type: 'MembershipChanged',
          data: { teamId, personId, role: changed, allocation },
        });
      } else if (own.size > 0) {
        const teamId = pick([...own.keys()]);
        own.delete(teamId);
        members.get(teamId)!.delete(personId);
        yield emit(teamStream(teamId), { type: 'TeamMemberRemoved', data: { teamId, personId } });
        if (firstTeams.get(personId) === teamId) {
          firstTeams.delete(personId);
          yield emit(
            personStream(personId),
            { type: 'FirstTeamCleared', data: { personId, teamId, cause: 'LEFT_TEAM' } },
            true,
          );
          // The person picks their remaining team as their first, a command of its own.
          const [remaining] = own.keys();
          if (remaining) {
            firstTeams.set(personId, remaining);
            yield emit(personStream(personId), {
              type: 'FirstTeamChosen',
              data: { personId, teamId: remaining, previousTeamId: null },
            });
          }
        }
      } else {
        // Nobody to join (every team tried was full): the person records new skills instead.
        const changed = changeSkills(personId, ['sql']);
        if (changed) yield changed;
      }
    } else if (roll < 0.55) {
      const responsibilityId = pick(responsibilities);
      const owner =
        next() < 0.7 ? { kind: 'PERSON' as const, id: pick(people) } : { kind: 'TEAM' as const, id: pick(teams) };
      const previousOwner = owners.get(responsibilityId) ?? null;
      // Assigning the owner it has appends no event.
      if (previousOwner?.id !== owner.id) {
        owners.set(responsibilityId, owner);
        yield emit(responsibilityStream(responsibilityId), {
          type: 'ResponsibilityAssigned',
          data: { responsibilityId, owner, previousOwner },
        });
      }
    } else if (roll < 0.72) {
      const teamId = pick(teams);
      yield emit(teamStream(teamId), {
        type: 'DeliveryMetricsRecorded',
        data: {
          teamId,
          leadTimeHours: Math.round(next() * 200),
          buildTimeMinutes: Math.round(next() * 40),
          incidents: Math.floor(next() * 5),
          deploymentsPerWeek: Math.round(next() * 30),
          productivityPulse: 1 + Math.floor(next() * 5),
        },
      });
    } else if (roll < 0.84) {
      const interactionId = uuidv7();
      const first = pick(teams);
      const second = pick(teams.filter((team) => team !== first));
      yield emit(interactionStream(interactionId), {
        type: 'InteractionRecorded',
        data: {
          interactionId,
          teamIds: [first, second],
          kind: next() < 0.6 ? 'STATUS_UPDATE' : 'JOINT_WORK',
          note: null,
        },
      });
    } else if (roll < 0.94) {
      const handoffId = uuidv7();
      yield emit(handoffStream(handoffId), {
        type: 'HandoffRecorded',
        data: {
          handoffId,
          teamId: pick(teams),
          title: 'A requirement',
          reviewedWithEngineering: next() < 0.7,
          reviewedWithProduct: next() < 0.9,
          comment: null,
        },
      });
    } else if (roll < 0.98) {
      const teamId = pick(teams);
      const features = 40 + Math.floor(next() * 50);
      const techDebt = Math.floor((100 - features) / 2);
      yield emit(teamStream(teamId), {
        type: next() < 0.5 ? 'InvestmentMixPlanned' : 'InvestmentMixReported',
        data: {
          teamId,
          period: `${2025 + Math.floor(next() * 2)}-Q${1 + Math.floor(next() * 4)}`,
          features,
          techDebt,
          runway: 100 - features - techDebt,
          developerExperience: 0,
        },
      });
    } else {
      const changed = changeSkills(pick(people), ['kotlin', 'sql'].slice(0, 1 + Math.floor(next() * 2)));
      if (changed) yield changed;
    }
  }
}
