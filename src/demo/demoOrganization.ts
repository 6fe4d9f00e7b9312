// The demo organisation (`npm run seed:demo`): "Cartwheel", a marketplace
// scaleup grown over the 18 months before `now` through all four growth
// phases, written only through commands (executeCommand, back-dated with
// `occurredAt`, actor `demo-seed`).
//
// The story is planned first (names, skills, numbers: from a seeded PRNG, so
// the same scale gives the same organisation), as an agenda of actions with
// their org time; the agenda then runs in org-time order. Actions keep a small
// model of the org (who is in which team, with which allocation) so that later
// decisions (who ratifies, which skills an agreement asks for) follow from what
// happened. `scale` N > 1 runs the same story N times as regional divisions
// ("Checkout (EMEA)") under one CEO; divisions run concurrently, each in its
// own org-time order, with the organization-wide steps (creation, growth
// phases) as barriers between them.
//
// Deliberate friction (see DOMAIN.md, "Friction signals"), once per division:
//   WORK_SLIPPING              "GDPR data requests" unassigned in month 14 and left without owner;
//                              "On-call for payments" owned by an engineer who left in month 16
//   CONTESTED_OWNERSHIP        "Payment incident response" in the ratified agreements of Checkout and Payments Platform
//   INVESTMENT_IMBALANCE       Checkout's actual FEATURES share above the phase ceiling four quarters running;
//                              Search & Discovery's last quarter: actual 22 points off plan
//   STALE_AGREEMENT            Fraud Detection drafted an agreement and never ratified it
//   SKILL_GAP                  Recommendations' agreement asks for "Reinforcement learning", which no member has
//   NOT_CROSS_FUNCTIONAL       Delivery Tracking (stream-aligned) has no PRODUCT member
//   FIRST_TEAM_MISALIGNED      a data analyst in two teams never chose a first team; the Payments Platform
//                              engineering manager's first team is made of their own reports
//   MISSED_DEPENDENCY          two dependencies discovered late (one still open), Merchant Onboarding blocked by
//                              Payments Platform for two months, Catalog still depending on the archived Core Platform
//   MISSING_CONTEXT            four of Merchant Analytics' six handoffs of the last 30 days not reviewed with engineering
//   COMMUNICATING_NOT_COLLABORATING  Delivery Tracking and Fulfilment: open dependency, weekly status updates, no joint work
//   ASSET_WALLPAPER            the founders' lean canvas was never revised; Logistics has no customer-value asset
//   OVERALLOCATION             a designer at 70 % + 50 %
//   DELIVERY_DEGRADING         Catalog's lead time rises over its last three observations
//   FINGER_POINTING            Merchant Analytics' norms and one of its handoff comments
import { v7 as uuidv7 } from 'uuid';
import type {
  AssetKind,
  DependencyStatus,
  Discipline,
  GrowthPhase,
  InteractionKind,
  InteractionMode,
  MetricKind,
  TeamKind,
} from '../../events/common.ts';
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../agreements/agreements.ts';
import { publishAsset, reviseAsset } from '../assets/assets.ts';
import { recordHandoff, recordInteraction } from '../collaboration/collaboration.ts';
import type { CommandHandler, CommandMeta } from '../commands/command.ts';
import { type CommandDeps, executeCommand } from '../commands/execute.ts';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../dependencies/dependencies.ts';
import { planInvestmentMix, reportInvestmentMix } from '../investment/investment.ts';
import { recordDeliveryMetrics } from '../metrics/deliveryMetrics.ts';
import { changeGrowthPhase, createOrganization } from '../organization/organization.ts';
import {
  changeReportingLine,
  chooseFirstTeam,
  offboardPerson,
  registerPerson,
  updatePersonSkills,
} from '../people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../responsibilities/responsibilities.ts';
import {
  addTeamMember,
  alignTeam,
  archiveTeam,
  changeMembership,
  changeTeamParent,
  formTeam,
  removeTeamMember,
  renameTeam,
} from '../teams/teams.ts';
import { defineValueStream } from '../valueStreams/valueStreams.ts';

export type DemoSeedOptions = {
  organizationId?: string;
  /** How many regional divisions run the story (default 1); each adds ~90 people and ~16 teams. */
  scale?: number;
  /** The end of the story (default: the wall clock); every event is dated in the 18 months before it. */
  now?: Date;
  log?: (line: string) => void;
};

export type DemoSeedResult = { organizationId: string; commands: number; events: number };

export const DEMO_ACTOR = 'demo-seed';
export const MAX_DEMO_SCALE = 50;

/** The slug of the demo organization of a scale: `demo`, or `demo-<scale>`. */
export function demoSlug(scale = 1): string {
  return scale === 1 ? 'demo' : `demo-${scale}`;
}

export class DemoSeedError extends Error {
  override name = 'DemoSeedError';
}

const MINUTE = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------
// Deterministic randomness and time
// ---------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG; the same seed gives the same sequence. */
class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new DemoSeedError('pick from an empty list');
    return item;
  }

  /** `count` distinct items, in a random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) {
      chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    }
    return chosen;
  }
}

function addMonths(date: Date, months: number): Date {
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const daysInMonth = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      first.getUTCFullYear(),
      first.getUTCMonth(),
      Math.min(date.getUTCDate(), daysInMonth),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    ),
  );
}

/** Org time of the story: month 0 starts 18 months before `end`. */
class Calendar {
  readonly start: Date;
  readonly end: Date;

  constructor(end: Date) {
    this.end = end;
    this.start = addMonths(end, -18);
  }

  /** Day `day` (fractional) of month `month` of the story, in ms. */
  at(month: number, day = 0): number {
    return addMonths(this.start, month).getTime() + day * DAY;
  }

  /** `days` before the end of the story, in ms. */
  beforeEnd(days: number): number {
    return this.end.getTime() - days * DAY;
  }

  /** Quarter `block` (0..5) of the story: months 3·block .. 3·block+3, labelled with its calendar quarter. */
  quarter(block: number): { period: string; from: number; to: number } {
    const first = addMonths(this.start, 3 * block);
    return {
      period: `${first.getUTCFullYear()}-Q${Math.floor(first.getUTCMonth() / 3) + 1}`,
      from: first.getTime(),
      to: this.at(3 * block + 3),
    };
  }
}

/** The growth phase of each quarter of the story (phase changes open months 3, 6 and 12). */
const PHASE_OF_QUARTER: readonly GrowthPhase[] = [
  'EXPERIMENTING',
  'GETTING_TRACTION',
  'HYPERGROWTH',
  'HYPERGROWTH',
  'OPTIMIZING',
  'OPTIMIZING',
];

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

// biome-ignore format: a table reads better compact
const FIRST_NAMES = [
  'Ada', 'Aiko', 'Alejandro', 'Amara', 'Amelia', 'Anders', 'Ana', 'Anika', 'Arjun', 'Astrid', 'Ayesha', 'Beatriz',
  'Benjamin', 'Bilal', 'Camille', 'Carlos', 'Chen', 'Chiara', 'Chloé', 'Daniel', 'Dario', 'Deepa', 'Diego', 'Elena',
  'Elif', 'Emeka', 'Emil', 'Emma', 'Erik', 'Fatima', 'Felix', 'Freya', 'Gabriel', 'Grace', 'Hamza', 'Hana', 'Hannah',
  'Hugo', 'Ines', 'Ingrid', 'Isabel', 'Ivan', 'Jakob', 'Jana', 'Javier', 'Jonas', 'Julia', 'Kai', 'Kaito', 'Kamala',
  'Karim', 'Katarzyna', 'Kofi', 'Lars', 'Laura', 'Lea', 'Leila', 'Leon', 'Lina', 'Lucas', 'Luca', 'Maja', 'Malik',
  'Marco', 'Margot', 'Maria', 'Marta', 'Mateo', 'Mei', 'Mia', 'Mikael', 'Mina', 'Nadia', 'Naomi', 'Nikolai', 'Nils',
  'Noah', 'Nora', 'Olga', 'Oliver', 'Omar', 'Oskar', 'Paula', 'Pedro', 'Priya', 'Rafael', 'Rahul', 'Rania', 'Rosa',
  'Ruben', 'Sakura', 'Samir', 'Sara', 'Sebastian', 'Selin', 'Sofia', 'Sven', 'Tariq', 'Teresa', 'Theo', 'Tomás',
  'Valentina', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zanele', 'Zoe',
] as const;

// biome-ignore format: a table reads better compact
const LAST_NAMES = [
  'Abebe', 'Achterberg', 'Adeyemi', 'Alvarez', 'Andersen', 'Bakker', 'Banerjee', 'Becker', 'Bernard', 'Bianchi',
  'Brennan', 'Castro', 'Chowdhury', 'Costa', 'Dahl', 'Delgado', 'Dubois', 'Eriksen', 'Fischer', 'Fontaine', 'García',
  'Gomez', 'Gupta', 'Haddad', 'Hansen', 'Hartmann', 'Hoffmann', 'Ibrahim', 'Ivanova', 'Jansen', 'Jensen', 'Kaur',
  'Kim', 'Kowalski', 'Kruger', 'Lambert', 'Larsen', 'Lee', 'Lindqvist', 'Lopez', 'Mahlaba', 'Martin', 'Meyer',
  'Mendes', 'Moreau', 'Müller', 'Nakamura', 'Navarro', 'Nguyen', 'Nielsen', 'Novak', 'Okafor', 'Olsen', 'Ortega',
  'Osei', 'Park', 'Patel', 'Peeters', 'Petrov', 'Popescu', 'Quinn', 'Rahman', 'Ramos', 'Reyes', 'Ricci', 'Richter',
  'Rossi', 'Santos', 'Sato', 'Schmidt', 'Schneider', 'Silva', 'Singh', 'Sørensen', 'Suzuki', 'Svensson', 'Tanaka',
  'Teixeira', 'Thomsen', 'Torres', 'Van Dijk', 'Vargas', 'Virtanen', 'Wagner', 'Wang', 'Weber', 'Wiśniewski',
  'Yamamoto', 'Yilmaz', 'Zhang', 'Zimmermann',
] as const;

// biome-ignore format: a table reads better compact
const REGIONS = [
  'EMEA', 'Americas', 'APAC', 'Nordics', 'DACH', 'Iberia', 'Benelux', 'UK & Ireland', 'France', 'Italy', 'CEE',
  'LATAM', 'India', 'Japan', 'ANZ', 'Middle East', 'Africa', 'Canada', 'Korea', 'Southeast Asia',
] as const;

const EMAIL_DOMAIN = 'cartwheel.example';

/** Unique person names and emails across the whole organization (planning is sequential, so deterministic). */
class NameBook {
  readonly #names = new Set<string>();
  readonly #emails = new Set<string>();

  take(random: Random): { name: string; email: string } {
    for (let attempt = 0; attempt < 1_000; attempt++) {
      const name = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
      if (this.#names.has(name)) continue;
      this.#names.add(name);
      const local = name
        .normalize('NFD')
        .replace(/\p{Diacritic}/gu, '')
        .toLowerCase()
        .replace(/ł/g, 'l')
        .replace(/ø/g, 'o')
        .replace(/[^a-z]+/g, '.');
      let email = `${local}@${EMAIL_DOMAIN}`;
      for (let n = 2; this.#emails.has(email); n++) email = `${local}${n}@${EMAIL_DOMAIN}`;
      this.#emails.add(email);
      return { name, email };
    }
    throw new DemoSeedError('ran out of distinct person names');
  }
}

// ---------------------------------------------------------------------------
// Skills
// ---------------------------------------------------------------------------

const DISCIPLINE_SKILLS: Record<Discipline, readonly string[]> = {
  PRODUCT: ['Product discovery', 'Roadmapping', 'Product analytics', 'Stakeholder management', 'Pricing'],
  ENGINEERING: ['TypeScript', 'Node.js', 'PostgreSQL', 'AWS', 'Observability', 'GraphQL'],
  DESIGN: ['Figma', 'User research', 'Interaction design', 'Accessibility', 'Prototyping'],
  QA: ['Test automation', 'Playwright', 'Exploratory testing', 'Performance testing'],
  DATA: ['SQL', 'Python', 'dbt', 'Statistics', 'Experimentation'],
  OPERATIONS: ['Incident management', 'Logistics operations', 'Carrier relations', 'Customer support', 'Runbooks'],
  OTHER: ['Facilitation', 'Coaching', 'Hiring', 'Strategy', 'Negotiation'],
};

/** What engineers (and data people in data-heavy teams) of a team are good at. */
const TEAM_SKILLS: Record<string, readonly string[]> = {
  founding: ['TypeScript', 'React', 'Node.js'],
  storefront: ['TypeScript', 'React', 'Payments'],
  merchantTools: ['TypeScript', 'Kotlin', 'PostgreSQL'],
  core: ['Kubernetes', 'Terraform', 'AWS'],
  search: ['Elasticsearch', 'Kotlin', 'Python'],
  catalog: ['TypeScript', 'GraphQL', 'PostgreSQL'],
  merchantAnalytics: ['Python', 'SQL', 'dbt'],
  fulfilment: ['Go', 'Kafka', 'PostgreSQL'],
  tracking: ['Go', 'Kafka', 'React'],
  payments: ['Kotlin', 'Payments', 'PostgreSQL'],
  recs: ['Python', 'Machine learning', 'PyTorch'],
  enablement: ['TypeScript', 'CI/CD', 'Coaching'],
  devPlatform: ['Kubernetes', 'Terraform', 'Observability'],
  dataPlatform: ['SQL', 'dbt', 'Kafka'],
  fraud: ['Python', 'Machine learning', 'Kotlin'],
};

/** Teams whose data people share the engineers' skills (elsewhere they bring their discipline's). */
const DATA_TEAMS = new Set(['search', 'merchantAnalytics', 'recs', 'dataPlatform', 'fraud']);

/** The skill the Recommendations agreement asks for and nobody has (SKILL_GAP). */
const MISSING_SKILL = 'Reinforcement learning';

// ---------------------------------------------------------------------------
// Teams of the story, with their lifespans (months, days) for the recurring
// records: delivery metrics and investment mixes.
// ---------------------------------------------------------------------------

type TeamSpec = {
  key: string;
  name: string;
  kind: TeamKind;
  stream?: string;
  parent?: string;
  formed: readonly [number, number];
  archived?: readonly [number, number];
  /** How it invests: product teams lean to features, platform teams to runway; leadership reports no mix. */
  profile: 'product' | 'platform' | 'none';
};

// biome-ignore format: a table reads better compact
const TEAMS: readonly TeamSpec[] = [
  { key: 'founding', name: 'Founding Team', kind: 'STREAM_ALIGNED', stream: 'shopping', formed: [0, 1], archived: [6, 3], profile: 'product' },
  { key: 'leadership', name: 'Leadership', kind: 'LEADERSHIP', formed: [3, 3], profile: 'none' },
  { key: 'storefront', name: 'Storefront', kind: 'STREAM_ALIGNED', stream: 'shopping', parent: 'founding', formed: [3, 4], profile: 'product' },
  { key: 'merchantTools', name: 'Merchant Tools', kind: 'STREAM_ALIGNED', stream: 'merchant', parent: 'founding', formed: [3, 4], profile: 'product' },
  { key: 'core', name: 'Core Platform', kind: 'PLATFORM', formed: [5, 2], archived: [13, 17], profile: 'platform' },
  { key: 'search', name: 'Search & Discovery', kind: 'STREAM_ALIGNED', stream: 'shopping', formed: [6, 6], profile: 'product' },
  { key: 'catalog', name: 'Catalog', kind: 'STREAM_ALIGNED', stream: 'shopping', formed: [6, 7], profile: 'product' },
  { key: 'merchantAnalytics', name: 'Merchant Analytics', kind: 'STREAM_ALIGNED', stream: 'insights', formed: [6, 11], profile: 'product' },
  { key: 'fulfilment', name: 'Fulfilment', kind: 'STREAM_ALIGNED', stream: 'logistics', formed: [8, 2], profile: 'product' },
  { key: 'tracking', name: 'Delivery Tracking', kind: 'STREAM_ALIGNED', stream: 'logistics', formed: [8, 2], profile: 'product' },
  { key: 'payments', name: 'Payments Platform', kind: 'PLATFORM', formed: [8, 3], profile: 'platform' },
  { key: 'recs', name: 'Recommendations', kind: 'COMPLICATED_SUBSYSTEM', stream: 'shopping', formed: [9, 3], profile: 'platform' },
  { key: 'enablement', name: 'Engineering Enablement', kind: 'ENABLING', formed: [10, 2], profile: 'platform' },
  { key: 'devPlatform', name: 'Developer Platform', kind: 'PLATFORM', formed: [13, 1], profile: 'platform' },
  { key: 'dataPlatform', name: 'Data Platform', kind: 'PLATFORM', formed: [13, 1], profile: 'platform' },
  { key: 'fraud', name: 'Fraud Detection', kind: 'COMPLICATED_SUBSYSTEM', formed: [14, 2], profile: 'platform' },
];

/** Features share bounds per phase: at most the ceiling (90/80/70/60), technical share at most 30/35/45/55. */
const FEATURE_BOUNDS: Record<GrowthPhase, readonly [number, number]> = {
  EXPERIMENTING: [70, 90],
  GETTING_TRACTION: [65, 80],
  HYPERGROWTH: [55, 70],
  OPTIMIZING: [45, 60],
};
const PLANNED_FEATURES: Record<GrowthPhase, { product: number; platform: number }> = {
  EXPERIMENTING: { product: 80, platform: 78 },
  GETTING_TRACTION: { product: 72, platform: 70 },
  HYPERGROWTH: { product: 62, platform: 58 },
  OPTIMIZING: { product: 53, platform: 48 },
};

/** Deliberate investment friction: [team, quarter] → planned and actual features share. */
const MIX_OVERRIDES: Record<string, { planned: number; actual: number }> = {
  // Checkout: the feature factory, above the ceiling (70 %, then 60 %) four quarters running.
  'storefront:2': { planned: 66, actual: 80 },
  'storefront:3': { planned: 66, actual: 82 },
  'storefront:4': { planned: 58, actual: 72 },
  'storefront:5': { planned: 57, actual: 70 },
  // Search & Discovery: planned a re-platforming quarter, spent it on features (22 points off).
  'search:5': { planned: 45, actual: 67 },
};

// ---------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------

type Input = Record<string, unknown>;

class Runner {
  commands = 0;
  events = 0;
  readonly #deps: CommandDeps;
  readonly #organizationId: string;
  readonly #end: number;

  constructor(deps: CommandDeps, organizationId: string, end: Date) {
    this.#deps = deps;
    this.#organizationId = organizationId;
    this.#end = end.getTime();
  }

  async run<I, R>(handler: CommandHandler<I, R>, input: Input, at: number, reason?: string): Promise<R> {
    const occurredAt = new Date(at);
    if (at > this.#end) {
      throw new DemoSeedError(`demo seed bug: ${handler.name} planned at ${occurredAt.toISOString()}, after the end`);
    }
    const meta: CommandMeta = { actor: DEMO_ACTOR, occurredAt };
    if (reason !== undefined) meta.reason = reason;
    try {
      const outcome = await executeCommand(this.#deps, handler, this.#organizationId, input, meta);
      this.commands++;
      this.events += outcome.events.length;
      return outcome.result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DemoSeedError(
        `demo seed: ${handler.name} at ${occurredAt.toISOString()} failed: ${message} (input ${JSON.stringify(input)})`,
        { cause: error },
      );
    }
  }
}

type Action = { at: number; seq: number; run: () => Promise<void> };

function byOrgTime(a: Action, b: Action): number {
  return a.at - b.at || a.seq - b.seq;
}

// ---------------------------------------------------------------------------
// One division's story
// ---------------------------------------------------------------------------

type PersonRecord = {
  key: string;
  name: string;
  email: string;
  discipline: Discipline;
  skills: string[];
  id: string | null;
};

type TeamRecord = {
  key: string;
  name: string;
  id: string | null;
  /** Current members (person key → allocation), in the order they joined. */
  members: Map<string, number>;
};

type MetricSpec = { name: string; kind: MetricKind; target?: string };

type AgreementSpec = {
  name: string;
  mission: string;
  metrics: MetricSpec[];
  responsibilities: string[];
  norms: string;
  /** Skills asked for on top of those the members share. */
  extraSkills?: string[];
  /** Days from draft to ratification; null: never ratified. */
  ratifyAfter?: number | null;
};

const REVISIT_NOTES = [
  'Retro: no changes, the agreement still describes how we work.',
  'Retro: walked two new joiners through the agreement; no changes.',
  'Retro: checked our metrics against their targets; keeping them.',
  'Retro: reworded the code review norm; the substance stays.',
  'Retro: agreed to keep the mission; we will look at metrics again next quarter.',
] as const;

class Division {
  readonly index: number;
  readonly suffix: string;
  readonly agenda: Action[] = [];
  readonly people = new Map<string, PersonRecord>();
  readonly teams = new Map<string, TeamRecord>();
  readonly #streams = new Map<string, string>();
  readonly #responsibilities = new Map<string, string>();
  readonly #dependencies = new Map<string, string>();
  readonly #assets = new Map<string, { id: string; slug: string; revision: number }>();
  readonly #random: Random;
  readonly #names: NameBook;
  readonly #calendar: Calendar;
  readonly #runner: Runner;
  readonly #ceo: () => PersonRecord;
  #seq = 0;

  constructor(index: number, names: NameBook, calendar: Calendar, runner: Runner, ceo: () => PersonRecord) {
    this.index = index;
    this.suffix = index === 0 ? '' : (REGIONS[index - 1] ?? `Unit ${index + 1}`);
    this.#random = new Random(0x5eed + index * 7_919);
    this.#names = names;
    this.#calendar = calendar;
    this.#runner = runner;
    this.#ceo = ceo;
  }

  // --- planning primitives --------------------------------------------------

  t(month: number, day = 0): number {
    return this.#calendar.at(month, day);
  }

  schedule(at: number, run: () => Promise<void>): void {
    this.agenda.push({ at, seq: this.#seq++, run });
  }

  named(base: string): string {
    return this.suffix ? `${base} (${this.suffix})` : base;
  }

  person(key: string): PersonRecord {
    const person = this.people.get(key);
    if (!person) throw new DemoSeedError(`demo seed bug: unknown person ${key}`);
    return person;
  }

  personId(key: string): string {
    const id = this.person(key).id;
    if (!id) throw new DemoSeedError(`demo seed bug: ${key} is not registered yet`);
    return id;
  }

  team(key: string): TeamRecord {
    const team = this.teams.get(key);
    if (!team) throw new DemoSeedError(`demo seed bug: unknown team ${key}`);
    return team;
  }

  teamId(key: string): string {
    const id = this.team(key).id;
    if (!id) throw new DemoSeedError(`demo seed bug: team ${key} is not formed yet`);
    return id;
  }

  #lookup(map: Map<string, string>, what: string, key: string): string {
    const id = map.get(key);
    if (!id) throw new DemoSeedError(`demo seed bug: ${what} ${key} does not exist yet`);
    return id;
  }

  streamId(key: string): string {
    return this.#lookup(this.#streams, 'value stream', key);
  }

  /** A person or a team, by key. */
  ownerId(key: string): string {
    return this.teams.has(key) ? this.teamId(key) : this.personId(key);
  }

  /** Plans a person: name, email and skills are drawn now, so planning order fixes them. */
  plannedPerson(key: string, discipline: Discipline, skillTeam: string | null, skills?: string[]): PersonRecord {
    if (this.people.has(key)) throw new DemoSeedError(`demo seed bug: person ${key} planned twice`);
    const { name, email } = this.#names.take(this.#random);
    const teamSkills = skillTeam ? TEAM_SKILLS[skillTeam] : undefined;
    const usesTeamSkills =
      teamSkills && (discipline === 'ENGINEERING' || (discipline === 'DATA' && DATA_TEAMS.has(skillTeam ?? '')));
    const chosen =
      skills ??
      (usesTeamSkills
        ? [...this.#random.sample(teamSkills, 2), this.#random.pick(DISCIPLINE_SKILLS[discipline])]
        : this.#random.sample(DISCIPLINE_SKILLS[discipline], 3));
    const record: PersonRecord = { key, name, email, discipline, skills: [...new Set(chosen)], id: null };
    this.people.set(key, record);
    return record;
  }

  async registerNow(record: PersonRecord, at: number, managerId: string | null): Promise<void> {
    const input: Input = {
      name: record.name,
      email: record.email,
      discipline: record.discipline,
      skills: record.skills,
    };
    if (managerId) input.managerId = managerId;
    const result = await this.#runner.run(registerPerson, input, at);
    record.id = result.personId;
  }

  // --- people and teams -----------------------------------------------------

  hire(
    key: string,
    discipline: Discipline,
    role: string,
    at: number,
    options: {
      team: string | null;
      manager: string | null;
      allocation?: number;
      also?: { team: string; role?: string; allocation: number };
      firstTeam?: boolean;
      skills?: string[];
    },
  ): void {
    const record = this.plannedPerson(key, discipline, options.team, options.skills);
    this.schedule(at, async () => {
      await this.registerNow(record, at, options.manager ? this.personId(options.manager) : null);
    });
    if (options.team) {
      this.join(key, options.team, role, options.allocation ?? 100, at + MINUTE);
      if (options.also) {
        this.join(key, options.also.team, options.also.role ?? role, options.also.allocation, at + 2 * MINUTE);
      }
      if (options.firstTeam !== false) this.chooseFirstTeam(key, options.team, at + 3 * MINUTE);
    }
  }

  formTeam(spec: TeamSpec): void {
    const record: TeamRecord = { key: spec.key, name: this.named(spec.name), id: null, members: new Map() };
    this.teams.set(spec.key, record);
    const at = this.t(...spec.formed);
    this.schedule(at, async () => {
      const input: Input = { name: record.name, kind: spec.kind };
      if (spec.stream) input.valueStreamId = this.streamId(spec.stream);
      if (spec.parent) input.parentTeamId = this.teamId(spec.parent);
      record.id = (await this.#runner.run(formTeam, input, at)).teamId;
    });
  }

  join(personKey: string, teamKey: string, role: string, allocation: number, at: number, reason?: string): void {
    this.schedule(at, async () => {
      const teamId = this.teamId(teamKey);
      await this.#runner.run(
        addTeamMember,
        { teamId, personId: this.personId(personKey), role, allocation },
        at,
        reason,
      );
      this.team(teamKey).members.set(personKey, allocation);
    });
  }

  changeMembership(
    personKey: string,
    teamKey: string,
    change: { role?: string; allocation?: number },
    at: number,
    reason?: string,
  ): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        changeMembership,
        { teamId: this.teamId(teamKey), personId: this.personId(personKey), ...change },
        at,
        reason,
      );
      if (change.allocation !== undefined) this.team(teamKey).members.set(personKey, change.allocation);
    });
  }

  leave(personKey: string, teamKey: string, at: number, reason?: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        removeTeamMember,
        { teamId: this.teamId(teamKey), personId: this.personId(personKey) },
        at,
        reason,
      );
      this.team(teamKey).members.delete(personKey);
    });
  }

  chooseFirstTeam(personKey: string, teamKey: string, at: number, reason?: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        chooseFirstTeam,
        { personId: this.personId(personKey), teamId: this.teamId(teamKey) },
        at,
        reason,
      );
    });
  }

  /**
   * A move between teams, as it happens: two weeks half in each team, first
   * team switched on day one, then full time in the new team. Nobody is ever
   * above 100 % or without a first team on the way.
   */
  move(personKey: string, from: string, to: string, role: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      if (this.team(from).members.get(personKey) !== 100) {
        throw new DemoSeedError(`demo seed bug: ${personKey} is not full time in ${from} when moving to ${to}`);
      }
    });
    this.changeMembership(personKey, from, { allocation: 50 }, at, reason);
    this.join(personKey, to, role, 50, at + MINUTE, reason);
    this.chooseFirstTeam(personKey, to, at + 2 * MINUTE, reason);
    this.leave(personKey, from, at + 14 * DAY, reason);
    this.changeMembership(personKey, to, { allocation: 100 }, at + 14 * DAY + MINUTE, reason);
  }

  reportTo(personKey: string, managerKey: string | null, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        changeReportingLine,
        { personId: this.personId(personKey), managerId: managerKey ? this.personId(managerKey) : null },
        at,
        reason,
      );
    });
  }

  offboard(personKey: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(offboardPerson, { personId: this.personId(personKey) }, at, reason);
      for (const team of this.teams.values()) team.members.delete(personKey);
    });
  }

  learn(personKey: string, skill: string, at: number): void {
    this.schedule(at, async () => {
      const person = this.person(personKey);
      person.skills = [...person.skills, skill];
      await this.#runner.run(updatePersonSkills, { personId: this.personId(personKey), skills: person.skills }, at);
    });
  }

  rename(teamKey: string, name: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      const team = this.team(teamKey);
      team.name = this.named(name);
      await this.#runner.run(renameTeam, { teamId: this.teamId(teamKey), name: team.name }, at, reason);
    });
  }

  setParent(teamKey: string, parentKey: string | null, at: number, reason: string): void {
    this.schedule(at, async () => {
      const parentTeamId = parentKey ? this.teamId(parentKey) : null;
      await this.#runner.run(changeTeamParent, { teamId: this.teamId(teamKey), parentTeamId }, at, reason);
    });
  }

  align(teamKey: string, streamKey: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        alignTeam,
        { teamId: this.teamId(teamKey), valueStreamId: this.streamId(streamKey) },
        at,
        reason,
      );
    });
  }

  archive(teamKey: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(archiveTeam, { teamId: this.teamId(teamKey) }, at, reason);
      this.team(teamKey).members.clear();
    });
  }

  defineStream(key: string, name: string, description: string, customer: string, at: number, parent?: string): void {
    this.schedule(at, async () => {
      const input: Input = { name: this.named(name), description, customer };
      if (parent) input.parentId = this.streamId(parent);
      this.#streams.set(key, (await this.#runner.run(defineValueStream, input, at)).valueStreamId);
    });
  }

  // --- responsibilities and agreements ---------------------------------------

  responsibility(key: string, title: string, category: string, description: string, at: number, owner: string): void {
    this.schedule(at, async () => {
      const result = await this.#runner.run(
        defineResponsibility,
        { title: this.suffix ? `${title} (${this.suffix})` : title, description, category },
        at,
      );
      this.#responsibilities.set(key, result.responsibilityId);
    });
    this.assign(key, owner, at + MINUTE, 'Owner named when the responsibility was defined');
  }

  assign(key: string, owner: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        assignResponsibility,
        { responsibilityId: this.#lookup(this.#responsibilities, 'responsibility', key), ownerId: this.ownerId(owner) },
        at,
        reason,
      );
    });
  }

  unassign(key: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        unassignResponsibility,
        { responsibilityId: this.#lookup(this.#responsibilities, 'responsibility', key) },
        at,
        reason,
      );
    });
  }

  /** Skills at least two current members share (the team's real strengths), most common first. */
  sharedSkills(teamKey: string): string[] {
    const counts = new Map<string, number>();
    for (const personKey of this.team(teamKey).members.keys()) {
      for (const skill of this.person(personKey).skills) counts.set(skill, (counts.get(skill) ?? 0) + 1);
    }
    return [...counts]
      .filter(([, count]) => count >= 2)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, 4)
      .map(([skill]) => skill);
  }

  agreement(teamKey: string, at: number, spec: AgreementSpec, reason?: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        draftAgreement,
        {
          teamId: this.teamId(teamKey),
          name: spec.name,
          mission: spec.mission,
          metrics: spec.metrics,
          responsibilityIds: spec.responsibilities.map((key) =>
            this.#lookup(this.#responsibilities, 'responsibility', key),
          ),
          skills: [...this.sharedSkills(teamKey), ...(spec.extraSkills ?? [])],
          norms: spec.norms,
        },
        at,
        reason,
      );
    });
    const after = spec.ratifyAfter === undefined ? 4 : spec.ratifyAfter;
    if (after === null) return;
    const ratifiedAt = at + after * DAY;
    this.schedule(ratifiedAt, async () => {
      const ratifiedBy = [...this.team(teamKey).members.keys()].map((key) => this.personId(key));
      await this.#runner.run(ratifyAgreement, { teamId: this.teamId(teamKey), ratifiedBy }, ratifiedAt, reason);
    });
  }

  /**
   * Retrospectives every other month after the ratification on (`month`,
   * `day`), until (`until`, exclusive): counted in months, so the number of
   * revisits does not depend on the calendar the story ends in.
   */
  revisits(teamKey: string, [month, day]: readonly [number, number], until: readonly [number, number] = [18, 0]): void {
    const onDay = Math.min(day, 27);
    for (let n = 0, next = month + 2; next < until[0] || (next === until[0] && onDay < until[1]); n++, next += 2) {
      const notes = REVISIT_NOTES[(n + this.index) % REVISIT_NOTES.length] as string;
      const at = this.t(next, onDay);
      this.schedule(at, async () => {
        await this.#runner.run(revisitAgreement, { teamId: this.teamId(teamKey), notes }, at);
      });
    }
  }

  // --- dependencies, collaboration, assets -----------------------------------

  dependency(
    key: string,
    from: string,
    to: string,
    mode: InteractionMode,
    description: string,
    at: number,
    options: { status?: DependencyStatus; discoveredLate?: boolean; expectedDurationDays?: number } = {},
  ): void {
    this.schedule(at, async () => {
      const result = await this.#runner.run(
        declareDependency,
        { fromTeamId: this.teamId(from), toTeamId: this.teamId(to), mode, description, ...options },
        at,
      );
      this.#dependencies.set(key, result.dependencyId);
    });
  }

  dependencyStatus(key: string, status: DependencyStatus, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        changeDependencyStatus,
        { dependencyId: this.#lookup(this.#dependencies, 'dependency', key), status },
        at,
        reason,
      );
    });
  }

  resolve(key: string, at: number, reason: string): void {
    this.schedule(at, async () => {
      await this.#runner.run(
        resolveDependency,
        { dependencyId: this.#lookup(this.#dependencies, 'dependency', key) },
        at,
        reason,
      );
    });
  }

  interaction(teamKeys: string[], kind: InteractionKind, note: string, at: number): void {
    this.schedule(at, async () => {
      await this.#runner.run(recordInteraction, { teamIds: teamKeys.map((key) => this.teamId(key)), kind, note }, at);
    });
  }

  handoff(
    teamKey: string,
    title: string,
    at: number,
    reviewed: { engineering: boolean; product: boolean },
    comment?: string,
  ): void {
    this.schedule(at, async () => {
      const input: Input = {
        teamId: this.teamId(teamKey),
        title,
        reviewedWithEngineering: reviewed.engineering,
        reviewedWithProduct: reviewed.product,
      };
      if (comment) input.comment = comment;
      await this.#runner.run(recordHandoff, input, at);
    });
  }

  asset(key: string, kind: AssetKind, title: string, at: number, teams: string[], streams: string[]): void {
    const slug = `${key}${this.suffix ? `-${this.index}` : ''}`;
    this.schedule(at, async () => {
      const result = await this.#runner.run(
        publishAsset,
        {
          kind,
          title: this.suffix ? `${title} (${this.suffix})` : title,
          url: `https://wiki.${EMAIL_DOMAIN}/assets/${slug}`,
          teamIds: teams.map((team) => this.teamId(team)),
          valueStreamIds: streams.map((stream) => this.streamId(stream)),
        },
        at,
      );
      this.#assets.set(key, { id: result.assetId, slug, revision: 0 });
    });
  }

  revise(key: string, at: number, rationale: string, links: { teams?: string[]; streams?: string[] } = {}): void {
    this.schedule(at, async () => {
      const asset = this.#assets.get(key);
      if (!asset) throw new DemoSeedError(`demo seed bug: asset ${key} is not published yet`);
      asset.revision++;
      const input: Input = {
        assetId: asset.id,
        rationale,
        url: `https://wiki.${EMAIL_DOMAIN}/assets/${asset.slug}?rev=${asset.revision}`,
      };
      if (links.teams) input.teamIds = links.teams.map((team) => this.teamId(team));
      if (links.streams) input.valueStreamIds = links.streams.map((stream) => this.streamId(stream));
      await this.#runner.run(reviseAsset, input, at, rationale);
    });
  }

  // --- recurring records ----------------------------------------------------

  /** Planned and actual investment mix of every delivery team, per quarter of its life. */
  investmentMixes(): void {
    for (const spec of TEAMS) {
      const profile = spec.profile;
      if (profile === 'none') continue;
      const formed = this.t(...spec.formed);
      const archived = spec.archived ? this.t(...spec.archived) : Number.POSITIVE_INFINITY;
      for (let block = 0; block < PHASE_OF_QUARTER.length; block++) {
        const quarter = this.#calendar.quarter(block);
        const phase = PHASE_OF_QUARTER[block] as GrowthPhase;
        const plannedAt = Math.max(quarter.from + 3 * DAY, formed + 2 * DAY);
        const reportedAt = quarter.to - 4 * DAY;
        if (reportedAt - plannedAt < 20 * DAY || reportedAt >= archived) continue;
        const [low, high] = FEATURE_BOUNDS[phase];
        const override = MIX_OVERRIDES[`${spec.key}:${block}`];
        const planned = override?.planned ?? PLANNED_FEATURES[phase][profile];
        const actual = override?.actual ?? Math.min(high, Math.max(low, planned + this.#random.int(-3, 4)));
        const teamKey = spec.key;
        this.schedule(plannedAt, async () => {
          await this.#runner.run(
            planInvestmentMix,
            { teamId: this.teamId(teamKey), period: quarter.period, ...shares(planned, profile) },
            plannedAt,
          );
        });
        this.schedule(reportedAt, async () => {
          await this.#runner.run(
            reportInvestmentMix,
            { teamId: this.teamId(teamKey), period: quarter.period, ...shares(actual, profile) },
            reportedAt,
          );
        });
      }
    }
  }

  /**
   * Monthly delivery metrics of every delivery team: lead and build times fall
   * as the org matures, incidents step down, deployments rise. The last three
   * observations never get worse, except Catalog's lead time (DELIVERY_DEGRADING).
   */
  deliveryMetrics(): void {
    for (const spec of TEAMS) {
      if (spec.profile === 'none') continue;
      const formed = this.t(...spec.formed);
      const archived = spec.archived ? this.t(...spec.archived) : Number.POSITIVE_INFINITY;
      const months: number[] = [];
      for (let month = spec.formed[0] + 1; month < 18; month++) {
        const at = this.t(month, 26);
        if (at - formed >= 20 * DAY && at < archived) months.push(month);
      }
      const platform = spec.profile === 'platform';
      const baseLead = (platform ? 40 : 70) * (0.85 + this.#random.next() * 0.3);
      const baseBuild = (platform ? 9 : 14) * (0.85 + this.#random.next() * 0.3);
      const baseIncidents = platform ? 3 : 4;
      const series = months.map((month) => {
        const progress = month / 17;
        const noise = () => 0.95 + this.#random.next() * 0.1;
        return {
          month,
          leadTimeHours: baseLead * (1 - 0.5 * progress) * noise(),
          buildTimeMinutes: baseBuild * (1 - 0.35 * progress) * noise(),
          incidents: Math.max(0, Math.round(baseIncidents - 3 * progress)),
          deploymentsPerWeek: (2 + 14 * progress) * noise(),
          productivityPulse: this.#random.int(3, 4),
        };
      });
      const last = series.slice(-3);
      if (last.length === 3) {
        if (spec.key === 'catalog') {
          // Lead time up 20 % and 25 %: the image pipeline on the archived Core Platform bites.
          const [first, second, third] = last as [
            (typeof series)[number],
            (typeof series)[number],
            (typeof series)[number],
          ];
          second.leadTimeHours = first.leadTimeHours * 1.2;
          third.leadTimeHours = second.leadTimeHours * 1.25;
          second.productivityPulse = 3;
          third.productivityPulse = 2;
        } else {
          const leads = last.map((o) => o.leadTimeHours).sort((a, b) => b - a);
          const builds = last.map((o) => o.buildTimeMinutes).sort((a, b) => b - a);
          last.forEach((observation, i) => {
            observation.leadTimeHours = leads[i] as number;
            observation.buildTimeMinutes = builds[i] as number;
          });
        }
      }
      const teamKey = spec.key;
      for (const observation of series) {
        const at = this.t(observation.month, 26);
        this.schedule(at, async () => {
          await this.#runner.run(
            recordDeliveryMetrics,
            {
              teamId: this.teamId(teamKey),
              leadTimeHours: round1(observation.leadTimeHours),
              buildTimeMinutes: round1(observation.buildTimeMinutes),
              incidents: observation.incidents,
              deploymentsPerWeek: round1(observation.deploymentsPerWeek),
              productivityPulse: observation.productivityPulse,
            },
            at,
          );
        });
      }
    }
  }

  // --- the story --------------------------------------------------------------

  plan(): void {
    const t = (month: number, day = 0) => this.t(month, day);
    const spec = (key: string) => {
      const found = TEAMS.find((team) => team.key === key);
      if (!found) throw new DemoSeedError(`demo seed bug: no team spec ${key}`);
      return found;
    };
    const hq = this.index === 0;

    // ---- EXPERIMENTING (months 0-3): the startup is one team -----------------
    if (hq) {
      // The CEO is registered organization-wide (see seedDemoOrganization).
      this.people.set('founder', this.#ceo());
    } else {
      const manager = this.plannedPerson('founder', 'OTHER', null, ['Strategy', 'Hiring', 'Negotiation']);
      this.schedule(t(0, 0.05), () => this.registerNow(manager, t(0, 0.05), this.#ceo().id));
    }
    const founderRole = hq ? 'CEO' : 'General Manager';
    this.defineStream(
      'shopping',
      'Consumer Shopping',
      'Everything a shopper does from finding a product to paying for it.',
      'Online shoppers in mid-sized European cities who want local shops delivered same day',
      t(0, 0.2),
    );
    this.formTeam(spec('founding'));
    this.join('founder', 'founding', founderRole, 100, t(0, 1) + 10 * MINUTE);
    this.chooseFirstTeam('founder', 'founding', t(0, 1) + 11 * MINUTE);
    this.hire('cto', 'ENGINEERING', 'CTO', t(0, 1.1), {
      team: 'founding',
      manager: 'founder',
      skills: ['Architecture', 'TypeScript', 'Hiring', 'Strategy'],
    });
    this.hire('hop', 'PRODUCT', 'Product Lead', t(0, 1.2), {
      team: 'founding',
      manager: 'founder',
      skills: ['Product discovery', 'Strategy', 'Hiring'],
    });
    this.responsibility(
      'oncall',
      'On-call for payments',
      'OPERATIONS',
      'First responder when payments fail.',
      t(0, 3),
      'cto',
    );
    this.responsibility(
      'release',
      'Release management',
      'ENGINEERING',
      'Cutting, shipping and rolling back releases.',
      t(0, 3.01),
      'cto',
    );
    this.responsibility(
      'gdpr',
      'GDPR data requests',
      'COMPLIANCE',
      'Answering access and erasure requests within 30 days.',
      t(0, 3.02),
      'hop',
    );
    this.responsibility(
      'planning',
      'Quarterly planning',
      'LEADERSHIP',
      'Setting and reviewing the quarterly priorities.',
      t(0, 3.03),
      'founder',
    );
    this.responsibility(
      'hiring',
      'Hiring pipeline for engineering',
      'PEOPLE',
      'Interview loops, offers and onboarding of engineers.',
      t(0, 3.04),
      'cto',
    );
    this.hire('eng1', 'ENGINEERING', 'Software Engineer', t(0, 6), { team: 'founding', manager: 'cto' });
    this.agreement('founding', t(0, 10), {
      name: 'How the founding team works',
      mission: 'Find product-market fit for same-day delivery from local shops.',
      metrics: [
        { name: 'Weekly active shoppers', kind: 'VALUE', target: '2,000' },
        { name: 'Customer interviews per week', kind: 'ACTIVITY', target: '5' },
      ],
      responsibilities: ['oncall', 'release'],
      norms: 'We plan together on Monday and demo on Friday. Anyone can ship. Everyone talks to customers.',
    });
    this.hire('eng2', 'ENGINEERING', 'Software Engineer', t(0, 12), { team: 'founding', manager: 'cto' });
    this.hire('hod', 'DESIGN', 'Product Designer', t(0, 20), {
      team: 'founding',
      manager: 'hop',
      skills: ['Interaction design', 'User research', 'Hiring', 'Strategy'],
    });
    this.hire('eng3', 'ENGINEERING', 'Software Engineer', t(1, 5), { team: 'founding', manager: 'cto' });
    this.asset('leanCanvas', 'LEAN_CANVAS', 'Cartwheel lean canvas', t(1, 8), ['founding'], ['shopping']);
    this.hire('eng4', 'ENGINEERING', 'Software Engineer', t(1, 18), { team: 'founding', manager: 'cto' });
    this.hire('qa1', 'QA', 'QA Engineer', t(2, 4), { team: 'founding', manager: 'cto' });
    this.hire('eng5', 'ENGINEERING', 'Software Engineer', t(2, 20), { team: 'founding', manager: 'cto' });
    this.revisits('founding', [0, 14], [6, 3]);

    // ---- GETTING_TRACTION (months 3-6): sub-teams, still one big team --------
    this.defineStream(
      'merchant',
      'Merchant Success',
      'Bringing independent shops onto Cartwheel and helping them sell more.',
      'Independent merchants selling on Cartwheel',
      t(3, 2),
    );
    this.changeMembership('hod', 'founding', { role: 'Head of Design' }, t(3, 3), 'Leads design as the company grows');
    for (const leader of ['founder', 'cto', 'hop', 'hod']) {
      this.changeMembership(leader, 'founding', { allocation: 50 }, t(3, 3.1), 'Half of the time goes to leading');
    }
    this.formTeam(spec('leadership'));
    const leaderRoles: Record<string, string> = {
      founder: founderRole,
      cto: 'Head of Technology',
      hop: 'Head of Product',
      hod: 'Head of Design',
    };
    for (const [leader, role] of Object.entries(leaderRoles)) {
      this.join(leader, 'leadership', role, 50, t(3, 3.2));
      this.chooseFirstTeam(leader, 'leadership', t(3, 3.3), 'Leaders put their peers first');
    }
    this.formTeam(spec('storefront'));
    this.formTeam(spec('merchantTools'));
    this.hire('pmStore', 'PRODUCT', 'Product Manager', t(3, 4.1), { team: 'storefront', manager: 'hop' });
    this.hire('pmMerchant', 'PRODUCT', 'Product Manager', t(3, 4.1), { team: 'merchantTools', manager: 'hop' });
    const split = 'The founding team splits into sub-teams';
    for (const key of ['eng1', 'eng2', 'qa1']) {
      this.move(key, 'founding', 'storefront', key === 'qa1' ? 'QA Engineer' : 'Software Engineer', t(3, 4.2), split);
    }
    for (const key of ['eng3', 'eng4', 'eng5'])
      this.move(key, 'founding', 'merchantTools', 'Software Engineer', t(3, 4.2), split);
    this.agreement('leadership', t(3, 12), {
      name: 'Leadership team agreement',
      mission: 'Decide together what matters most this quarter, and make sure every team knows why.',
      metrics: [
        { name: 'Quarterly objectives met', kind: 'VALUE', target: '70%' },
        { name: 'Leadership syncs held', kind: 'ACTIVITY', target: 'weekly' },
      ],
      responsibilities: ['planning'],
      norms: 'We disagree in the room and commit outside it. Product, design and technology decide together.',
    });
    this.assign('planning', 'leadership', t(3, 16), 'Planning becomes a leadership-team ritual');
    this.agreement(
      'founding',
      t(3, 18),
      {
        name: 'How the founding team works (v2)',
        mission: 'Keep the sub-teams one team: shared planning, one demo day, one backlog of bets.',
        metrics: [{ name: 'Weekly active shoppers', kind: 'VALUE', target: '10,000' }],
        responsibilities: [],
        norms: 'Sub-teams own their work; the founding team keeps the rituals that hold us together.',
        ratifyAfter: 1,
      },
      'Responsibilities move to the sub-teams',
    );
    this.responsibility(
      'checkoutConversion',
      'Checkout conversion',
      'PRODUCT',
      'From basket to paid order.',
      t(3, 20),
      'storefront',
    );
    this.responsibility(
      'kyc',
      'Merchant KYC checks',
      'COMPLIANCE',
      'Verifying merchants before their first payout.',
      t(3, 20.01),
      'merchantTools',
    );
    this.assign('oncall', 'storefront', t(3, 21), 'Storefront owns checkout and payments now');
    this.agreement('storefront', t(3, 22), {
      name: 'Storefront working agreement',
      mission: 'Make buying from a local shop as easy as from a big marketplace.',
      metrics: [
        { name: 'Checkout conversion', kind: 'VALUE', target: '3.5%' },
        { name: 'Deployments per week', kind: 'ACTIVITY', target: '10' },
      ],
      responsibilities: ['oncall', 'checkoutConversion'],
      norms: 'We refine together: product, design and engineering in the same session. Small pull requests.',
    });
    this.agreement('merchantTools', t(3, 23), {
      name: 'Merchant Tools working agreement',
      mission: 'Get a merchant from sign-up to first sale in a day.',
      metrics: [
        { name: 'Time to first sale', kind: 'VALUE', target: '< 1 day' },
        { name: 'Merchant calls per sprint', kind: 'ACTIVITY', target: '4' },
      ],
      responsibilities: ['kyc'],
      norms: 'Every sprint someone from engineering joins a merchant call. We write down decisions.',
    });
    this.revisits('leadership', [3, 16]);
    this.revisits('storefront', [3, 26]);
    this.revisits('merchantTools', [3, 27]);
    this.hire('designer2', 'DESIGN', 'Product Designer', t(3, 10), { team: 'storefront', manager: 'hod' });
    this.hire('eng6', 'ENGINEERING', 'Software Engineer', t(4, 2), { team: 'storefront', manager: 'cto' });
    this.responsibility(
      'designSystem',
      'Design system',
      'DESIGN',
      'Components, tokens and their documentation.',
      t(4, 1),
      'hod',
    );
    this.hire('eng7', 'ENGINEERING', 'Software Engineer', t(4, 6), { team: 'merchantTools', manager: 'cto' });
    this.hire('qa2', 'QA', 'QA Engineer', t(4, 9), { team: 'merchantTools', manager: 'cto' });
    this.asset(
      'shopperJourney',
      'USER_JOURNEY',
      'Shopper journey: from search to doorstep',
      t(4, 10),
      ['storefront'],
      ['shopping'],
    );
    this.asset(
      'merchantPersona',
      'PERSONA',
      'Merchant persona: the independent boutique owner',
      t(4, 10.1),
      ['merchantTools'],
      ['merchant'],
    );
    this.hire('analyst1', 'DATA', 'Data Analyst', t(4, 14), { team: 'merchantTools', manager: 'hop' });
    this.hire('cs1', 'OTHER', 'Customer Success Lead', t(4, 20), {
      team: 'merchantTools',
      manager: 'founder',
      skills: ['Customer support', 'Negotiation', 'Facilitation'],
    });
    this.hire('eng8', 'ENGINEERING', 'Software Engineer', t(5, 3), { team: 'storefront', manager: 'cto' });
    this.formTeam(spec('core'));
    this.hire('infra1', 'ENGINEERING', 'Platform Engineer', t(5, 2.1), { team: 'core', manager: 'cto' });
    this.move(
      'eng5',
      'merchantTools',
      'core',
      'Platform Engineer',
      t(5, 4),
      'Core Platform needs a second pair of hands',
    );
    this.hire('infra2', 'ENGINEERING', 'Platform Engineer', t(5, 10), { team: 'core', manager: 'cto' });
    this.assign('release', 'core', t(5, 15), 'Core Platform runs the deploy pipeline now');
    this.responsibility(
      'security',
      'Security incident response',
      'SECURITY',
      'Triage, containment and post-mortems of security incidents.',
      t(5, 16),
      'core',
    );
    this.agreement('core', t(5, 18), {
      name: 'Core Platform working agreement',
      mission: 'Give product teams a paved road to production.',
      metrics: [
        { name: 'Time from merge to production', kind: 'VALUE', target: '< 30 min' },
        { name: 'Platform office hours held', kind: 'ACTIVITY', target: 'weekly' },
      ],
      responsibilities: ['release', 'security'],
      norms: 'We treat product teams as customers: we ask before we change what they rely on.',
    });
    this.revisits('core', [5, 22], [13, 17]);
    this.responsibility(
      'support',
      'Customer support escalations',
      'OPERATIONS',
      'Merchant and shopper issues support cannot solve alone.',
      t(5, 20),
      'cs1',
    );
    this.interaction(
      ['storefront', 'merchantTools'],
      'JOINT_WORK',
      'Shared refinement: merchant-specific checkout options',
      t(4, 7),
    );
    this.interaction(
      ['storefront', 'merchantTools'],
      'JOINT_WORK',
      'Pairing on the order notification emails',
      t(5, 7),
    );
    this.interaction(['core', 'storefront'], 'JOINT_WORK', 'Pairing on the new deploy pipeline', t(5, 24));
    this.handoff('storefront', 'Guest checkout', t(4, 12), { engineering: true, product: true });
    this.handoff('merchantTools', 'Bulk product upload from CSV', t(4, 13), { engineering: true, product: true });
    this.handoff('storefront', 'Saved addresses', t(5, 12), { engineering: true, product: true });
    this.handoff('merchantTools', 'Opening hours per shop', t(5, 13), { engineering: true, product: true });

    // ---- HYPERGROWTH (months 6-12): stream-aligned teams, first platform teams
    const reorg = 'Reorg into stream-aligned teams';
    this.rename('storefront', 'Checkout', t(6, 2), reorg);
    this.setParent('storefront', null, t(6, 2.01), reorg);
    this.rename('merchantTools', 'Merchant Onboarding', t(6, 2.02), reorg);
    this.setParent('merchantTools', null, t(6, 2.03), reorg);
    this.archive('founding', t(6, 3), "The founding team's work now lives in stream-aligned teams");
    this.hire('emShop', 'ENGINEERING', 'Engineering Manager', t(6, 4), { team: 'storefront', manager: 'cto' });
    this.hire('emMerchant', 'ENGINEERING', 'Engineering Manager', t(6, 5), { team: 'merchantTools', manager: 'cto' });
    for (const key of ['eng1', 'eng2', 'eng6', 'eng8'])
      this.reportTo(key, 'emShop', t(6, 8), 'New engineering manager for Shopping');
    for (const key of ['eng3', 'eng4', 'eng7'])
      this.reportTo(key, 'emMerchant', t(6, 9), 'New engineering manager for Merchant');
    this.formTeam(spec('search'));
    this.hire('pmSearch', 'PRODUCT', 'Product Manager', t(6, 6.1), { team: 'search', manager: 'hop' });
    this.hire('s1', 'ENGINEERING', 'Software Engineer', t(6, 6.2), { team: 'search', manager: 'emShop' });
    this.formTeam(spec('catalog'));
    this.hire('pmCatalog', 'PRODUCT', 'Product Manager', t(6, 7.1), { team: 'catalog', manager: 'hop' });
    this.hire('c1', 'ENGINEERING', 'Software Engineer', t(6, 7.2), { team: 'catalog', manager: 'emShop' });
    this.defineStream(
      'insights',
      'Merchant Insights',
      'Reports and recommendations that help merchants decide what to stock and when.',
      'Merchants who want to understand their sales',
      t(6, 10),
      'merchant',
    );
    this.formTeam(spec('merchantAnalytics'));
    this.hire('pmMA', 'PRODUCT', 'Product Manager', t(6, 11.1), { team: 'merchantAnalytics', manager: 'hop' });
    this.hire('ma1', 'ENGINEERING', 'Software Engineer', t(6, 11.2), {
      team: 'merchantAnalytics',
      manager: 'emMerchant',
    });
    this.hire('s2', 'ENGINEERING', 'Software Engineer', t(6, 12), { team: 'search', manager: 'emShop' });
    this.hire('dShared1', 'DESIGN', 'Product Designer', t(6, 14), {
      team: 'search',
      manager: 'hod',
      allocation: 50,
      also: { team: 'catalog', allocation: 50 },
    });
    this.hire('c2', 'ENGINEERING', 'Software Engineer', t(6, 16), { team: 'catalog', manager: 'emShop' });
    this.hire('dsSearch', 'DATA', 'Data Scientist', t(6, 18), { team: 'search', manager: 'cto' });
    this.move(
      'analyst1',
      'merchantTools',
      'merchantAnalytics',
      'Data Analyst',
      t(6, 20),
      'Joins the new Merchant Analytics team',
    );
    this.responsibility(
      'searchRelevance',
      'Search relevance tuning',
      'PRODUCT',
      'Ranking rules, synonyms and relevance experiments.',
      t(6, 20.1),
      'search',
    );
    this.responsibility(
      'catalogQuality',
      'Product catalogue data quality',
      'DATA',
      'Complete, correct product data from every merchant.',
      t(6, 21),
      'catalog',
    );
    this.agreement('search', t(6, 21.1), {
      name: 'Search & Discovery working agreement',
      mission: 'Help shoppers find the thing they came for in under ten seconds.',
      metrics: [
        { name: 'Search-to-basket rate', kind: 'VALUE', target: '25%' },
        { name: 'Relevance experiments per month', kind: 'ACTIVITY', target: '4' },
      ],
      responsibilities: ['searchRelevance'],
      norms: 'Every ranking change ships behind an experiment. Data science pairs with engineering on features.',
    });
    this.agreement('catalog', t(6, 21.2), {
      name: 'Catalog working agreement',
      mission: 'Every product a merchant sells is findable, accurate and attractive.',
      metrics: [
        { name: 'Products with complete attributes', kind: 'VALUE', target: '95%' },
        { name: 'Merchant data fixes per week', kind: 'ACTIVITY' },
      ],
      responsibilities: ['catalogQuality'],
      norms: 'We fix data at the source with merchants, not with scripts. Designers review every merchant-facing form.',
    });
    this.hire('dOver', 'DESIGN', 'Product Designer', t(6, 22), {
      team: 'merchantAnalytics',
      manager: 'hod',
      allocation: 70,
    });
    this.hire('c3', 'ENGINEERING', 'Software Engineer', t(6, 24), { team: 'catalog', manager: 'emShop' });
    this.responsibility(
      'merchantReporting',
      'Merchant reporting SLAs',
      'DATA',
      'Daily sales reports ready for merchants by 7 am.',
      t(6, 25),
      'merchantAnalytics',
    );
    this.agreement('merchantAnalytics', t(6, 25.1), {
      name: 'Merchant Analytics working agreement',
      mission: 'Give every merchant the numbers they need to decide what to stock.',
      metrics: [
        { name: 'Merchants opening reports weekly', kind: 'VALUE', target: '60%' },
        { name: 'Reports shipped', kind: 'ACTIVITY' },
      ],
      responsibilities: ['merchantReporting'],
      norms:
        'Engineering owns the how. Those people in product never explain the why, so we only build what is written ' +
        'down in the ticket. They never join refinement, so we stopped inviting them.',
    });
    this.revisits('search', [6, 25.1]);
    this.revisits('catalog', [6, 25.2]);
    this.revisits('merchantAnalytics', [6, 29.1]);
    this.hire('ma2', 'ENGINEERING', 'Software Engineer', t(7, 1), { team: 'merchantAnalytics', manager: 'emMerchant' });
    this.hire('headData', 'DATA', 'Head of Data', t(7, 2), { team: 'merchantAnalytics', manager: 'cto' });
    this.hire('s3', 'ENGINEERING', 'Software Engineer', t(7, 3), { team: 'search', manager: 'emShop' });
    this.dependency(
      'checkoutAutoscaling',
      'storefront',
      'core',
      'X_AS_A_SERVICE',
      'Autoscaling for the summer sale peak',
      t(7, 5),
      {
        expectedDurationDays: 21,
      },
    );
    this.hire('c4', 'ENGINEERING', 'Software Engineer', t(7, 6), { team: 'catalog', manager: 'emShop' });
    this.hire('qa3', 'QA', 'QA Engineer', t(7, 8), { team: 'catalog', manager: 'cto' });
    this.hire('analyst2', 'DATA', 'Data Analyst', t(7, 9), {
      team: 'merchantAnalytics',
      manager: 'headData',
      allocation: 50,
      also: { team: 'search', allocation: 50 },
      firstTeam: false,
    });
    for (const key of ['dsSearch', 'analyst1'])
      this.reportTo(key, 'headData', t(7, 10), 'Data people report to the new Head of Data');
    this.hire('s4', 'ENGINEERING', 'Software Engineer', t(7, 12), { team: 'search', manager: 'emShop' });
    this.hire('ma3', 'ENGINEERING', 'Software Engineer', t(7, 15), {
      team: 'merchantAnalytics',
      manager: 'emMerchant',
    });
    this.assign('gdpr', 'merchantTools', t(7, 16), 'Merchant data requests land in onboarding anyway');
    this.agreement(
      'merchantTools',
      t(7, 18),
      {
        name: 'Merchant Onboarding working agreement',
        mission: 'Get a merchant from sign-up to first sale in a day, safely.',
        metrics: [
          { name: 'Time to first sale', kind: 'VALUE', target: '< 1 day' },
          { name: 'KYC checks completed within 24 h', kind: 'VALUE', target: '98%' },
        ],
        responsibilities: ['kyc', 'gdpr'],
        norms: 'Every sprint someone from engineering joins a merchant call. We write down decisions.',
      },
      'Renamed team, new responsibility: GDPR data requests',
    );
    this.hire('c5', 'ENGINEERING', 'Software Engineer', t(7, 20), { team: 'catalog', manager: 'emShop' });
    this.asset('flywheel', 'FLYWHEEL', 'Marketplace flywheel', t(7, 22), ['leadership'], ['shopping', 'merchant']);
    this.join('dOver', 'merchantTools', 'Product Designer', 50, t(7, 25), 'Also covers the onboarding redesign');
    this.resolve('checkoutAutoscaling', t(8, 2), 'Autoscaling live before the sale');

    this.defineStream(
      'logistics',
      'Logistics',
      'Getting orders from the shop counter to the shopper’s door the same day.',
      'Shoppers waiting for their parcels, and our carrier partners',
      t(8, 1),
    );
    this.formTeam(spec('fulfilment'));
    this.formTeam(spec('tracking'));
    this.hire('pmFul', 'PRODUCT', 'Product Manager', t(8, 2.1), { team: 'fulfilment', manager: 'hop' });
    this.hire('f1', 'ENGINEERING', 'Software Engineer', t(8, 2.2), { team: 'fulfilment', manager: 'cto' });
    this.hire('headOps', 'OPERATIONS', 'Head of Operations', t(8, 2.3), { team: 'fulfilment', manager: 'founder' });
    this.hire('tr1', 'ENGINEERING', 'Software Engineer', t(8, 2.4), { team: 'tracking', manager: 'cto' });
    this.formTeam(spec('payments'));
    this.hire('emPay', 'ENGINEERING', 'Engineering Manager', t(8, 3.1), { team: 'payments', manager: 'cto' });
    this.hire('emLog', 'ENGINEERING', 'Engineering Manager', t(8, 4), { team: 'fulfilment', manager: 'cto' });
    this.hire('sre1', 'OPERATIONS', 'Site Reliability Engineer', t(8, 4.1), {
      team: 'core',
      manager: 'headOps',
      skills: ['Kubernetes', 'Observability', 'Incident management'],
    });
    this.hire('emInfra', 'ENGINEERING', 'Engineering Manager', t(8, 5), { team: 'core', manager: 'cto' });
    for (const key of ['f1', 'tr1']) this.reportTo(key, 'emLog', t(8, 5.1), 'New engineering manager for Logistics');
    this.hire('ops1', 'OPERATIONS', 'Operations Specialist', t(8, 8), { team: 'fulfilment', manager: 'headOps' });
    this.hire('p1', 'ENGINEERING', 'Payments Engineer', t(8, 9), { team: 'payments', manager: 'emPay' });
    this.move(
      'eng2',
      'storefront',
      'payments',
      'Payments Engineer',
      t(8, 10),
      'Brings checkout know-how to Payments Platform',
    );
    this.reportTo('eng2', 'emPay', t(8, 10.1), 'Joins Payments Platform');
    this.hire('dShared2', 'DESIGN', 'Product Designer', t(8, 10), {
      team: 'fulfilment',
      manager: 'hod',
      allocation: 50,
      also: { team: 'tracking', allocation: 50 },
    });
    this.hire('f2', 'ENGINEERING', 'Software Engineer', t(8, 12), { team: 'fulfilment', manager: 'emLog' });
    for (const key of ['infra1', 'infra2', 'eng5'])
      this.reportTo(key, 'emInfra', t(8, 12), 'New engineering manager for Core Platform');
    this.responsibility(
      'paymentIncident',
      'Payment incident response',
      'OPERATIONS',
      'Coordinating the response when payments degrade.',
      t(8, 12.1),
      'payments',
    );
    this.responsibility(
      'carrier',
      'Carrier integrations',
      'OPERATIONS',
      'Contracts and APIs of our delivery partners.',
      t(8, 14),
      'fulfilment',
    );
    this.hire('tr2', 'ENGINEERING', 'Software Engineer', t(8, 14.1), { team: 'tracking', manager: 'emLog' });
    this.hire('p2', 'ENGINEERING', 'Payments Engineer', t(8, 15), { team: 'payments', manager: 'emPay' });
    this.responsibility(
      'eta',
      'Delivery ETA accuracy',
      'PRODUCT',
      'The promised delivery time is the real one.',
      t(8, 15.1),
      'tracking',
    );
    this.hire('ops3', 'OPERATIONS', 'Operations Specialist', t(8, 16), { team: 'tracking', manager: 'headOps' });
    this.agreement('fulfilment', t(8, 16.1), {
      name: 'Fulfilment working agreement',
      mission: 'Every order leaves the shop within two hours.',
      metrics: [
        { name: 'Orders picked up within 2 h', kind: 'VALUE', target: '95%' },
        { name: 'Carrier reviews held', kind: 'ACTIVITY', target: 'monthly' },
      ],
      responsibilities: ['carrier'],
      norms: 'Operations and engineering look at the same dashboard every morning.',
    });
    this.agreement('tracking', t(8, 16.2), {
      name: 'Delivery Tracking working agreement',
      mission: 'Shoppers always know where their order is.',
      metrics: [
        { name: 'Deliveries within the promised window', kind: 'VALUE', target: '92%' },
        { name: '"Where is my order" tickets', kind: 'VALUE', target: '-30%' },
      ],
      responsibilities: ['eta'],
      norms: 'We demo to operations every two weeks. We keep the event schema backwards compatible.',
    });
    this.revisits('fulfilment', [8, 20.1]);
    this.revisits('tracking', [8, 20.2]);
    this.hire('ops2', 'OPERATIONS', 'Operations Specialist', t(8, 18), { team: 'fulfilment', manager: 'headOps' });
    this.hire('f3', 'ENGINEERING', 'Software Engineer', t(8, 20), { team: 'fulfilment', manager: 'emLog' });
    this.asset(
      'insightsJtbd',
      'JOBS_TO_BE_DONE',
      'Jobs merchants hire their sales reports for',
      t(8, 20.1),
      ['merchantAnalytics'],
      ['insights'],
    );
    this.agreement('payments', t(8, 21), {
      name: 'Payments Platform working agreement',
      mission: 'Money moves safely, every time, for shoppers and merchants.',
      metrics: [
        { name: 'Payment success rate', kind: 'VALUE', target: '99.5%' },
        { name: 'Payment incidents reviewed', kind: 'ACTIVITY', target: '100%' },
      ],
      responsibilities: ['paymentIncident'],
      norms: 'Two reviewers for anything that touches money. We run a game day every quarter.',
    });
    this.revisits('payments', [8, 25]);
    this.hire('tr3', 'ENGINEERING', 'Software Engineer', t(8, 22), { team: 'tracking', manager: 'emLog' });
    this.hire('p3', 'ENGINEERING', 'Payments Engineer', t(8, 24), { team: 'payments', manager: 'emPay' });
    this.changeMembership('qa1', 'storefront', { role: 'QA Lead' }, t(8, 25), 'Leads the QA chapter');
    for (const key of ['qa2', 'qa3'])
      this.reportTo(key, 'qa1', t(8, 25.1), 'QA engineers report to the QA chapter lead');
    this.assign('oncall', 'p1', t(8, 26), "Payments Platform's on-call rota takes over; its first primary is named");
    this.hire('tr4', 'ENGINEERING', 'Software Engineer', t(9, 2), { team: 'tracking', manager: 'emLog' });
    this.formTeam(spec('recs'));
    this.hire('ml1', 'ENGINEERING', 'ML Engineer', t(9, 3.1), { team: 'recs', manager: 'emInfra' });
    this.hire('qa4', 'QA', 'QA Engineer', t(9, 5), { team: 'fulfilment', manager: 'qa1' });
    this.dependency(
      'threeDSecure',
      'storefront',
      'payments',
      'COLLABORATION',
      '3-D Secure 2 challenge flow for card payments',
      t(9, 6),
      {
        status: 'SLOWING',
        discoveredLate: true,
        expectedDurationDays: 30,
      },
    );
    this.hire('dsRecs', 'DATA', 'Data Scientist', t(9, 8), { team: 'recs', manager: 'headData' });
    this.agreement(
      'storefront',
      t(9, 10),
      {
        name: 'Checkout working agreement',
        mission: 'Make paying for a local shop’s goods take one tap.',
        metrics: [
          { name: 'Checkout conversion', kind: 'VALUE', target: '4%' },
          { name: 'Deployments per week', kind: 'ACTIVITY', target: '15' },
        ],
        responsibilities: ['checkoutConversion', 'paymentIncident'],
        norms: 'We refine together: product, design and engineering in the same session. Small pull requests.',
      },
      'After the reorg: on-call moves to Payments Platform; Checkout wants a say in payment incidents',
    );
    this.responsibility(
      'recModel',
      'Recommendation model retraining',
      'DATA',
      'Weekly retraining and evaluation of the ranking models.',
      t(9, 10.1),
      'recs',
    );
    this.hire('ml2', 'ENGINEERING', 'ML Engineer', t(9, 12), { team: 'recs', manager: 'emInfra' });
    this.asset(
      'checkoutBlueprint',
      'SERVICE_BLUEPRINT',
      'Checkout service blueprint',
      t(9, 15),
      ['storefront', 'payments'],
      ['shopping'],
    );
    this.asset(
      'logisticsMap',
      'VALUE_STREAM_MAP',
      'Logistics value stream map',
      t(9, 18),
      ['fulfilment', 'tracking'],
      ['logistics'],
    );
    this.agreement('recs', t(9, 18.1), {
      name: 'Recommendations working agreement',
      mission: 'Show every shopper the products they did not know they wanted.',
      metrics: [
        { name: 'Revenue from recommendations', kind: 'VALUE', target: '12%' },
        { name: 'Models retrained', kind: 'ACTIVITY', target: 'weekly' },
      ],
      responsibilities: ['recModel'],
      extraSkills: [MISSING_SKILL],
      norms: 'Offline metrics are a hypothesis; only an A/B test is an answer.',
    });
    this.revisits('recs', [9, 22.1]);
    this.revise('shopperJourney', t(9, 22), 'Added the search steps from the first Search & Discovery research', {
      teams: ['storefront', 'search'],
    });
    this.revise('merchantPersona', t(9, 23), 'New interviews: merchants run two or more shops');
    this.formTeam(spec('enablement'));
    this.hire('staff1', 'ENGINEERING', 'Staff Engineer', t(10, 2.1), { team: 'enablement', manager: 'cto' });
    this.hire('coach1', 'OTHER', 'Agile Coach', t(10, 5), {
      team: 'enablement',
      manager: 'cto',
      skills: ['Coaching', 'Facilitation', 'CI/CD'],
    });
    this.dependency(
      'catalogImages',
      'catalog',
      'core',
      'X_AS_A_SERVICE',
      'Image resizing on the legacy VM fleet',
      t(10, 6),
      {
        expectedDurationDays: 60,
      },
    );
    this.dependency(
      'trunkCoaching',
      'enablement',
      'storefront',
      'FACILITATING',
      'Trunk-based development coaching',
      t(10, 8),
      {
        expectedDurationDays: 45,
      },
    );
    this.hire('devex1', 'ENGINEERING', 'Developer Experience Engineer', t(10, 10), {
      team: 'enablement',
      manager: 'cto',
    });
    this.hire('contentDesigner', 'DESIGN', 'Content Designer', t(10, 14), { team: 'catalog', manager: 'hod' });
    this.dependency('ranking', 'search', 'recs', 'COLLABORATION', 'Personalised ranking of search results', t(10, 12));
    this.assign('hiring', 'enablement', t(10, 16), 'Enablement runs the interview loop and onboarding now');
    this.agreement('enablement', t(10, 18), {
      name: 'Engineering Enablement working agreement',
      mission: 'Make every stream-aligned team better at shipping, then step away.',
      metrics: [
        { name: 'Teams deploying daily', kind: 'VALUE', target: '80%' },
        { name: 'Coaching engagements', kind: 'ACTIVITY', target: '2 per quarter' },
      ],
      responsibilities: ['hiring'],
      norms: 'We pair, we do not take over. Every engagement ends with a hand-back date.',
    });
    this.revisits('enablement', [10, 22]);
    this.asset(
      'retentionModel',
      'RETENTION_MODEL',
      'Merchant retention model',
      t(10, 20),
      ['merchantTools', 'merchantAnalytics'],
      ['merchant'],
    );
    this.resolve('threeDSecure', t(11, 4), 'Shipped after an unplanned month of joint work');
    this.hire('eng9', 'ENGINEERING', 'Software Engineer', t(11, 3), { team: 'storefront', manager: 'emShop' });
    this.responsibility(
      'accessibility',
      'Accessibility compliance (WCAG 2.2)',
      'DESIGN',
      'Audits and fixes across shopper-facing pages.',
      t(11, 5),
      'dShared1',
    );
    this.hire('s5', 'ENGINEERING', 'Software Engineer', t(11, 6), { team: 'search', manager: 'emShop' });
    this.asset(
      'deliveryCost',
      'FINANCIAL_PROJECTION',
      'Delivery cost per order projection',
      t(11, 8),
      ['fulfilment'],
      ['logistics'],
    );
    this.hire('ma4', 'ENGINEERING', 'Software Engineer', t(11, 12), {
      team: 'merchantAnalytics',
      manager: 'emMerchant',
    });
    this.hire('p4', 'ENGINEERING', 'Payments Engineer', t(11, 15), { team: 'payments', manager: 'emPay' });
    this.hire('infra3', 'ENGINEERING', 'Platform Engineer', t(11, 18), { team: 'core', manager: 'emInfra' });
    this.hire('ml3', 'ENGINEERING', 'ML Engineer', t(11, 20), { team: 'recs', manager: 'emInfra' });

    // ---- OPTIMIZING (months 12-18): autonomy, platform and enabling teams ----
    this.agreement(
      'leadership',
      t(12, 3),
      {
        name: 'Leadership team agreement (v2)',
        mission: 'Fewer priorities, more platform: help teams run themselves.',
        metrics: [
          { name: 'Quarterly objectives met', kind: 'VALUE', target: '70%' },
          { name: 'Technical investment share', kind: 'VALUE', target: '40%' },
        ],
        responsibilities: ['planning'],
        norms:
          'We disagree in the room and commit outside it. Product, design and technology decide together. ' +
          'Every team gets a say in the investment mix.',
        ratifyAfter: 3,
      },
      'New operating model for the optimizing phase',
    );
    this.resolve('trunkCoaching', t(12, 10), 'Checkout deploys from trunk daily; coaching handed back');
    this.hire('uxr1', 'DESIGN', 'UX Researcher', t(12, 8), { team: 'search', manager: 'hod' });
    this.hire('qa5', 'QA', 'QA Engineer', t(12, 15), { team: 'search', manager: 'qa1' });
    this.learn('dShared1', 'Design tokens', t(12, 20));
    this.formTeam(spec('devPlatform'));
    this.formTeam(spec('dataPlatform'));
    const coreSplit = 'Core Platform splits into Developer Platform and Data Platform';
    this.move('emInfra', 'core', 'devPlatform', 'Engineering Manager', t(13, 1.1), coreSplit);
    for (const key of ['infra1', 'infra2', 'infra3'])
      this.move(key, 'core', 'devPlatform', 'Platform Engineer', t(13, 1.2), coreSplit);
    this.move('sre1', 'core', 'devPlatform', 'Site Reliability Engineer', t(13, 1.3), coreSplit);
    this.move('eng5', 'core', 'dataPlatform', 'Data Platform Engineer', t(13, 1.4), coreSplit);
    this.move('headData', 'merchantAnalytics', 'dataPlatform', 'Head of Data', t(13, 1.5), coreSplit);
    this.hire('de1', 'DATA', 'Data Engineer', t(13, 5), { team: 'dataPlatform', manager: 'headData' });
    this.hire('sre2', 'OPERATIONS', 'Site Reliability Engineer', t(13, 6), {
      team: 'devPlatform',
      manager: 'headOps',
      skills: ['Terraform', 'Observability', 'Runbooks'],
    });
    this.hire('de2', 'DATA', 'Data Engineer', t(13, 8), { team: 'dataPlatform', manager: 'headData' });
    this.assign('release', 'devPlatform', t(13, 10), coreSplit);
    this.assign('security', 'devPlatform', t(13, 10.01), coreSplit);
    this.responsibility(
      'warehouse',
      'Data warehouse',
      'DATA',
      'The warehouse, its pipelines and its freshness.',
      t(13, 10.02),
      'dataPlatform',
    );
    this.revise('flywheel', t(12, 14), 'Added delivery speed as a driver of repeat orders');
    this.asset(
      'wardley',
      'WARDLEY_MAP',
      'Platform Wardley map',
      t(13, 12),
      ['devPlatform', 'dataPlatform'],
      ['shopping', 'logistics'],
    );
    this.revise('merchantPersona', t(13, 14), 'Split into boutique owners and multi-shop merchants');
    this.revise('insightsJtbd', t(13, 15), 'Added the restocking job from the autumn interviews');
    this.archive('core', t(13, 17), coreSplit);
    this.agreement('devPlatform', t(13, 18), {
      name: 'Developer Platform working agreement',
      mission: 'A paved road so good that teams choose it.',
      metrics: [
        { name: 'Time from merge to production', kind: 'VALUE', target: '< 15 min' },
        { name: 'Developer satisfaction', kind: 'VALUE', target: '4/5' },
      ],
      responsibilities: ['release', 'security'],
      norms: 'We treat product teams as customers: we ask before we change what they rely on.',
    });
    this.agreement('dataPlatform', t(13, 19), {
      name: 'Data Platform working agreement',
      mission: 'Trustworthy data, on time, for every team.',
      metrics: [
        { name: 'Warehouse freshness', kind: 'VALUE', target: '< 1 h' },
        { name: 'Data contracts reviewed', kind: 'ACTIVITY' },
      ],
      responsibilities: ['warehouse'],
      norms: 'Schemas are contracts: we version them and announce changes two weeks ahead.',
    });
    this.hire('tpm', 'PRODUCT', 'Technical Product Manager', t(13, 20), { team: 'devPlatform', manager: 'hop' });
    this.revisits('devPlatform', [13, 22]);
    this.revisits('dataPlatform', [13, 23]);
    this.offboard('s1', t(13, 25), 'Left Cartwheel');
    this.formTeam(spec('fraud'));
    this.hire('fr1', 'ENGINEERING', 'ML Engineer', t(14, 2.1), { team: 'fraud', manager: 'emInfra' });
    this.dependency('featureStore', 'recs', 'dataPlatform', 'FACILITATING', 'Feature store on the warehouse', t(14, 4));
    this.hire('dsFraud', 'DATA', 'Data Scientist', t(14, 5), { team: 'fraud', manager: 'headData' });
    this.responsibility(
      'fraudRules',
      'Fraud rules review',
      'RISK',
      'Monthly review of fraud rules and their false positives.',
      t(14, 6),
      'fraud',
    );
    this.hire('fr2', 'ENGINEERING', 'ML Engineer', t(14, 8), { team: 'fraud', manager: 'emInfra' });
    this.unassign(
      'gdpr',
      t(14, 10),
      'Merchant Onboarding handed GDPR requests back after the reorg; no new owner agreed yet',
    );
    this.agreement(
      'merchantTools',
      t(14, 12),
      {
        name: 'Merchant Onboarding working agreement',
        mission: 'Get a merchant from sign-up to first sale in a day, safely.',
        metrics: [
          { name: 'Time to first sale', kind: 'VALUE', target: '< 1 day' },
          { name: 'KYC checks completed within 24 h', kind: 'VALUE', target: '98%' },
        ],
        responsibilities: ['kyc'],
        norms: 'Every sprint someone from engineering joins a merchant call. We write down decisions.',
      },
      'GDPR data requests handed back',
    );
    this.assign('designSystem', 'designer2', t(14, 14), 'The design system moves to its maintainer');
    this.agreement('fraud', t(14, 15), {
      name: 'Fraud Detection working agreement (draft)',
      mission: 'Stop fraudulent orders without stopping real shoppers.',
      metrics: [{ name: 'Fraud losses', kind: 'VALUE', target: '< 0.1% of GMV' }],
      responsibilities: ['fraudRules'],
      norms: 'Every rule has an owner and an expiry date.',
      ratifyAfter: null,
    });
    this.offboard('eng6', t(14, 16), 'Left Cartwheel');
    this.revise('checkoutBlueprint', t(14, 18), 'Added the 3-D Secure challenge and its failure paths');
    this.revise('shopperJourney', t(14, 19), 'Delivery tracking steps added');
    this.revise('logisticsMap', t(14, 20), 'Measured wait times between picking and hand-over');
    this.hire('s6', 'ENGINEERING', 'Software Engineer', t(14, 20), { team: 'search', manager: 'emShop' });
    this.align('fraud', 'shopping', t(14, 22), 'Fraud Detection serves checkout in the shopping stream');
    this.hire('eng10', 'ENGINEERING', 'Software Engineer', t(15, 2), { team: 'storefront', manager: 'emShop' });
    this.dependency(
      'kycApi',
      'merchantTools',
      'payments',
      'X_AS_A_SERVICE',
      'KYC verification API for merchant payouts',
      t(15, 3),
      {
        status: 'SLOWING',
        expectedDurationDays: 21,
      },
    );
    this.dependency(
      'shipmentEvents',
      'tracking',
      'fulfilment',
      'COLLABORATION',
      'Shipment status events feed',
      t(15, 8),
      {
        status: 'SLOWING',
        expectedDurationDays: 30,
      },
    );
    this.revise('retentionModel', t(15, 10), 'Recalibrated on twelve months of cohorts');
    this.revise('deliveryCost', t(15, 11), 'New carrier contracts priced in');
    this.offboard('qa3', t(15, 12), 'Left Cartwheel');
    this.hire('c6', 'ENGINEERING', 'Software Engineer', t(15, 20), { team: 'catalog', manager: 'emShop' });
    this.dependencyStatus('kycApi', 'BLOCKING', t(16, 1), 'Payouts to new merchants stopped until the API ships');
    this.hire('tr5', 'ENGINEERING', 'Software Engineer', t(16, 2), { team: 'tracking', manager: 'emLog' });
    this.dependency(
      'clickstream',
      'search',
      'dataPlatform',
      'COLLABORATION',
      'Click-stream events in the warehouse',
      t(16, 5),
      {
        status: 'SLOWING',
        discoveredLate: true,
        expectedDurationDays: 14,
      },
    );
    this.hire('f4', 'ENGINEERING', 'Software Engineer', t(16, 6), { team: 'fulfilment', manager: 'emLog' });
    this.offboard('p1', t(16, 10), 'Left Cartwheel');
    this.revise('merchantPersona', t(16, 12), 'Added the multi-shop merchant’s reporting needs');
    this.revise('insightsJtbd', t(16, 13), 'Merged with the retention interviews');
    this.revise('wardley', t(16, 14), 'Data platform components moved towards commodity');
    this.revise('logisticsMap', t(16, 15), 'Hand-over to carriers now measured per carrier');
    this.revise('flywheel', t(17, 3), 'Merchant insights added as a second loop');
    this.revise('shopperJourney', t(17, 4), 'Recommendations on the order confirmation page');
    this.revise('checkoutBlueprint', t(17, 5), 'Wallet payments added');
    this.revise('fraudOst', t(17, 6), 'First experiments and their results');
    this.asset(
      'fraudOst',
      'OPPORTUNITY_SOLUTION_TREE',
      'Fraud losses opportunity-solution tree',
      t(14, 24),
      ['fraud'],
      ['shopping'],
    );

    // ---- recurring: metrics, investment, collaboration -----------------------
    this.deliveryMetrics();
    this.investmentMixes();
    this.collaboration();
  }

  /** Joint work where teams depend on each other, status updates with leadership, and requirement handoffs. */
  collaboration(): void {
    const t = (month: number, day = 0) => this.t(month, day);
    const monthly = (from: number, to: number, each: (month: number) => void) => {
      for (let month = from; month <= to; month++) each(month);
    };
    monthly(7, 17, (m) =>
      this.interaction(['catalog', 'search'], 'JOINT_WORK', 'Shared refinement of product attributes', t(m, 9)),
    );
    monthly(7, 17, (m) =>
      this.interaction(
        ['merchantTools', 'merchantAnalytics'],
        'JOINT_WORK',
        'Co-designing the merchant dashboard',
        t(m, 9.1),
      ),
    );
    monthly(9, 17, (m) =>
      this.interaction(['storefront', 'payments'], 'JOINT_WORK', 'Pairing on payment flows', t(m, 9.2)),
    );
    monthly(8, 12, (m) =>
      this.interaction(['fulfilment', 'core'], 'JOINT_WORK', 'Capacity planning for the warehouse scanners', t(m, 9.3)),
    );
    monthly(13, 17, (m) =>
      this.interaction(
        ['fulfilment', 'devPlatform'],
        'JOINT_WORK',
        'Moving the dispatch service to the paved road',
        t(m, 9.3),
      ),
    );
    monthly(10, 17, (m) =>
      this.interaction(['search', 'recs'], 'JOINT_WORK', 'Pairing on personalised ranking', t(m, 9.4)),
    );
    monthly(10, 12, (m) =>
      this.interaction(
        ['enablement', 'storefront'],
        'JOINT_WORK',
        'Trunk-based development coaching session',
        t(m, 9.5),
      ),
    );
    monthly(13, 16, (m) =>
      this.interaction(['enablement', 'tracking'], 'JOINT_WORK', 'Test automation coaching session', t(m, 9.5)),
    );
    monthly(14, 17, (m) =>
      this.interaction(['recs', 'dataPlatform'], 'JOINT_WORK', 'Building the feature store together', t(m, 9.6)),
    );
    monthly(16, 17, (m) =>
      this.interaction(['search', 'dataPlatform'], 'JOINT_WORK', 'Mob session on the click-stream pipeline', t(m, 9.7)),
    );
    monthly(15, 17, (m) =>
      this.interaction(['merchantTools', 'payments'], 'JOINT_WORK', 'Pairing on the KYC verification API', t(m, 9.8)),
    );
    this.interaction(
      ['merchantTools', 'payments'],
      'JOINT_WORK',
      'Joint design review of payout holds',
      this.#calendar.beforeEnd(6),
    );
    // Quarterly business reviews: leadership with every stream-aligned team (talking, not collaborating, by design).
    const reviews: Array<[number, string[]]> = [
      [6, ['storefront', 'merchantTools', 'search', 'catalog', 'merchantAnalytics']],
      [9, ['storefront', 'merchantTools', 'search', 'catalog', 'merchantAnalytics', 'fulfilment', 'tracking']],
      [12, ['storefront', 'merchantTools', 'search', 'catalog', 'merchantAnalytics', 'fulfilment', 'tracking']],
      [15, ['storefront', 'merchantTools', 'search', 'catalog', 'merchantAnalytics', 'fulfilment', 'tracking']],
    ];
    for (const [month, teams] of reviews) {
      this.interaction(['leadership', ...teams], 'STATUS_UPDATE', 'Quarterly business review', t(month, 20));
    }
    // Delivery Tracking and Fulfilment: a sync meeting every few weeks, never any work together.
    const syncs = [t(9, 24), t(11, 24), t(13, 24), t(15, 12), t(15, 26), t(16, 10), t(16, 24)];
    for (const days of [26, 19, 12, 5]) syncs.push(this.#calendar.beforeEnd(days));
    for (const at of syncs) {
      this.interaction(
        ['tracking', 'fulfilment'],
        'STATUS_UPDATE',
        'Logistics sync: status of the shipment events feed',
        at,
      );
    }

    // Requirement handoffs: two a month to every stream-aligned team, reviewed with engineering
    // (Delivery Tracking has no product manager to review with).
    const titles: Record<string, readonly string[]> = {
      storefront: [
        'Apple Pay',
        'Order again button',
        'Split payments',
        'Gift cards',
        'Address autocomplete',
        'Tipping the courier',
      ],
      merchantTools: [
        'Self-serve KYC upload',
        'Shop opening hours sync',
        'Bulk price update',
        'Payout schedule settings',
        'Multi-shop accounts',
      ],
      search: [
        'Typo-tolerant search',
        'Filters by delivery time',
        'Search suggestions',
        'Local-first ranking',
        'Voice search trial',
      ],
      catalog: [
        'Variant support',
        'Allergen attributes',
        'Image guidelines check',
        'Bulk attribute editor',
        'Category tree v2',
      ],
      merchantAnalytics: [
        'Weekly sales email',
        'Stock-out alerts',
        'Basket analysis report',
        'Export to CSV',
        'Peak hours chart',
        'Benchmark vs similar shops',
        'Refund report',
        'Cohort view',
      ],
      fulfilment: ['Batch pick lists', 'Courier hand-over scan', 'Late order alerts', 'Packaging suggestions'],
      tracking: ['Live courier map', 'ETA in notifications', 'Delivery photo proof', 'Missed delivery flow'],
    };
    const handoffTeams: Array<[string, number]> = [
      ['storefront', 7],
      ['merchantTools', 7],
      ['search', 7],
      ['catalog', 7],
      ['merchantAnalytics', 7],
      ['fulfilment', 9],
      ['tracking', 9],
    ];
    for (const [team, from] of handoffTeams) {
      const list = titles[team] ?? [];
      let n = 0;
      const title = () =>
        `${list[n % list.length]}${n >= list.length ? ` (part ${Math.floor(n / list.length) + 1})` : ''}`;
      for (let month = from; month <= 16; month++) {
        for (const day of [5, 19]) {
          this.handoff(team, title(), t(month, day), { engineering: true, product: team !== 'tracking' });
          n++;
        }
      }
      if (team === 'merchantAnalytics') {
        // The last 30 days: four of six not reviewed with engineering, and it shows in the comments.
        const recent: Array<[number, boolean, string | undefined]> = [
          [26, true, undefined],
          [22, false, 'Came straight from a merchant call; engineering not involved yet.'],
          [15, false, 'Again they never asked us before promising merchants a date.'],
          [11, true, undefined],
          [7, false, undefined],
          [3, false, 'Spec arrived finished; no refinement session.'],
        ];
        for (const [daysBefore, reviewed, comment] of recent) {
          this.handoff(
            team,
            title(),
            this.#calendar.beforeEnd(daysBefore),
            { engineering: reviewed, product: true },
            comment,
          );
          n++;
        }
      } else {
        this.handoff(team, title(), t(17, 5), { engineering: true, product: team !== 'tracking' });
      }
    }
  }
}

/** Shares summing to 100 from a features share: the rest split between debt, runway and developer experience. */
function shares(features: number, profile: 'product' | 'platform') {
  const rest = 100 - features;
  const techDebt = Math.round(rest * (profile === 'platform' ? 0.3 : 0.4));
  const runway = Math.round(rest * (profile === 'platform' ? 0.45 : 0.35));
  return { features, techDebt, runway, developerExperience: rest - techDebt - runway };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

// ---------------------------------------------------------------------------
// The seed
// ---------------------------------------------------------------------------

/**
 * Seeds the demo organization through commands only. Deterministic for a given
 * scale (and `now`): the same people, teams and numbers; only ids differ.
 * Throws (with the failing command and its input) if any command is refused.
 */
export async function seedDemoOrganization(deps: CommandDeps, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_DEMO_SCALE) {
    throw new DemoSeedError(`scale must be an integer from 1 to ${MAX_DEMO_SCALE}, not ${scale}`);
  }
  const clock = deps.clock?.() ?? new Date();
  const now = options.now ?? clock;
  if (Number.isNaN(now.getTime()) || now.getTime() > clock.getTime()) {
    throw new DemoSeedError(
      `now must be a date no later than the clock (${clock.toISOString()}): events record the past`,
    );
  }
  const organizationId = options.organizationId ?? uuidv7();
  const log = options.log ?? (() => {});
  const calendar = new Calendar(now);
  const runner = new Runner(deps, organizationId, now);
  const names = new NameBook();

  // The CEO belongs to division 0 (the headquarters) but is registered before
  // any division runs: every general manager reports to them.
  const ceo: PersonRecord = {
    key: 'founder',
    ...names.take(new Random(0xce0)),
    discipline: 'OTHER',
    skills: ['Strategy', 'Fundraising', 'Hiring'],
    id: null,
  };
  const divisions = Array.from(
    { length: scale },
    (_, index) => new Division(index, names, calendar, runner, () => ceo),
  );
  for (const division of divisions) {
    division.plan();
    division.agenda.sort(byOrgTime);
  }

  const start = calendar.start.getTime();
  const phaseChange = (month: number, phase: GrowthPhase) => ({
    at: calendar.at(month, 1),
    run: async () => {
      await runner.run(
        changeGrowthPhase,
        { phase },
        calendar.at(month, 1),
        `Cartwheel enters ${phase.toLowerCase().replace('_', ' ')}`,
      );
      log(`month ${month}: ${phase} (${runner.commands} commands, ${runner.events} events so far)`);
    },
  });
  const barriers = [
    {
      at: start,
      run: async () => {
        await runner.run(
          createOrganization,
          {
            name: scale === 1 ? 'Cartwheel' : `Cartwheel (${scale} divisions)`,
            slug: demoSlug(scale),
            growthPhase: 'EXPERIMENTING',
          },
          start,
        );
        await divisions[0]?.registerNow(ceo, start + MINUTE, null);
        log(`month 0: EXPERIMENTING, ${scale} division${scale === 1 ? '' : 's'}`);
      },
    },
    phaseChange(3, 'GETTING_TRACTION'),
    phaseChange(6, 'HYPERGROWTH'),
    phaseChange(12, 'OPTIMIZING'),
  ];

  // Each division runs its agenda in org-time order, concurrently with the
  // others, up to the next barrier. The first failure stops every division.
  const cursors = divisions.map(() => 0);
  let failure: { error: unknown } | undefined;
  const runUntil = async (limit: number) => {
    await Promise.all(
      divisions.map(async (division, index) => {
        for (let action = division.agenda[cursors[index] as number]; action && action.at < limit; ) {
          if (failure) return;
          try {
            await action.run();
          } catch (error) {
            failure ??= { error };
            return;
          }
          cursors[index] = (cursors[index] as number) + 1;
          action = division.agenda[cursors[index] as number];
        }
      }),
    );
    if (failure) throw failure.error;
  };
  for (const barrier of barriers) {
    await runUntil(barrier.at);
    await barrier.run();
  }
  await runUntil(Number.POSITIVE_INFINITY);
  // Time went on after the last action: signals that time alone raises or
  // resolves (deadlines, windows) are brought up to `now`.
  await fireDueTimers(deps.pool, deps.store, () => now);
  log(`done: ${runner.commands} commands, ${runner.events} events`);
  return { organizationId, commands: runner.commands, events: runner.events };
}
