// FINGER_POINTING ("us vs them"): us-versus-them wording in norms, revisit
// notes or handoff comments (DOMAIN.md).
//
// Where an active team's wording is looked at:
// - the norms of its current agreement: the RATIFIED version (the norms in
//   force) and the DRAFT awaiting ratification, if any (the norms proposed);
//   both count for as long as they are current, whatever their age;
// - the notes of its agreement revisits and the comments of its handoffs whose
//   occurredAt lies in the window (at − fingerPointingWindowDays, at].
// Wording: the PHRASES below, case-insensitive, on word boundaries, any
// whitespace between words. "blame" and its forms do not count when negated
// ("no blame", "don't blame", "not to blame", "blame-free"; "blameless" is
// another word).
// One signal per team quoting the phrases found and where. Severity: LOW for
// one place, MEDIUM for two or when the ratified norms hold it, HIGH for three
// places or more. Evidence: the matching agreements, revisits and handoffs.
// Timers look again when a matching note or comment leaves the window (or
// enters it, when dated a little ahead of the evaluation).
import { agreementRevisits, agreements, handoffs, teams } from '../../tables.ts';
import { addDays, defineRule, type FrictionSeverity, nextAfter, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

/** Us-versus-them phrases (words separated by any whitespace). */
export const FINGER_POINTING_PHRASES = [
  'us vs them',
  'us vs. them',
  'us versus them',
  'us and them',
  'their fault',
  'not our problem',
  'not our job',
  'throw it over the wall',
  'threw it over the wall',
  'thrown over the wall',
  'those engineers',
  'those developers',
  'those product people',
  'they never',
  'they always',
] as const;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (text: string) => text.split(' ').map(escapeRegExp).join('\\s+');

/** "blame", "blamed", "blames", "blaming", unless negated. */
const BLAME =
  "(?<!\\b(?:no|not|not to|never|don['’]?t|do not|does not|doesn['’]?t|without)[\\s-]+)blam(?:e|ed|es|ing)(?!-free)";

const WORDING = new RegExp(
  `(?<![\\p{L}\\p{N}_])(?:${[...FINGER_POINTING_PHRASES]
    .sort((a, b) => b.length - a.length)
    .map(phrase)
    .join('|')}|${BLAME})(?![\\p{L}\\p{N}_])`,
  'giu',
);

/** The phrases in `text`, as written (whitespace collapsed), each once, in order of appearance. */
export function fingerPointingPhrases(text: string | null): string[] {
  if (!text) return [];
  const found = new Map<string, string>();
  for (const match of text.matchAll(WORDING)) {
    const quoted = match[0].replace(/\s+/g, ' ');
    if (!found.has(quoted.toLowerCase())) found.set(quoted.toLowerCase(), quoted);
  }
  return [...found.values()];
}

const date = (value: Date) => value.toISOString().slice(0, 10);

/** Places listed in the message; the rest are counted. */
const LISTED = 5;

type Place = { where: string; phrases: string[]; position: bigint };

export const fingerPointing = defineRule({
  kind: 'FINGER_POINTING',
  subjectKind: 'TEAM',
  description: 'A team whose norms, revisit notes or handoff comments use us-versus-them wording.',
  thresholds: {
    fingerPointingWindowDays: {
      description: 'How many days of revisit notes and handoff comments are looked at for us-versus-them wording.',
      default: 30,
      min: 1,
      max: 365,
    },
  },
  affects: {
    AgreementDrafted: team,
    AgreementRatified: team,
    AgreementRevisited: team,
    HandoffRecorded: team,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds, at }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const days = thresholds.fingerPointingWindowDays!;
    const start = addDays(at, -days).getTime();

    const places: Place[] = [];
    const versions = await ws.where(agreements, { teamId });
    const latest = (status: string) =>
      versions.filter((row) => row.status === status).sort((a, b) => b.version - a.version)[0];
    const ratified = latest('RATIFIED');
    const draft = latest('DRAFT');
    const ratifiedPhrases = fingerPointingPhrases(ratified?.norms ?? null);
    if (ratified && ratifiedPhrases.length > 0) {
      places.push({
        where: `the norms of its working agreement (version ${ratified.version})`,
        phrases: ratifiedPhrases,
        position: ratified.position,
      });
    }
    const draftPhrases = fingerPointingPhrases(draft?.norms ?? null);
    if (draft && draftPhrases.length > 0) {
      places.push({
        where: `the norms of its draft agreement (version ${draft.version})`,
        phrases: draftPhrases,
        position: draft.position,
      });
    }

    // Notes and comments from before the window can neither count nor enter
    // it again: not even searched for phrases (a team's history only grows).
    const dated: (Place & { occurredAt: Date })[] = [];
    for (const revisit of await ws.where(agreementRevisits, { teamId })) {
      if (revisit.occurredAt.getTime() <= start) continue;
      const phrases = fingerPointingPhrases(revisit.notes);
      if (phrases.length === 0) continue;
      const where = `the notes of its revisit of ${date(revisit.occurredAt)}`;
      dated.push({ where, phrases, position: revisit.position, occurredAt: revisit.occurredAt });
    }
    for (const handoff of await ws.where(handoffs, { teamId })) {
      if (handoff.occurredAt.getTime() <= start) continue;
      const phrases = fingerPointingPhrases(handoff.comment);
      if (phrases.length === 0) continue;
      const where = `the comment on the handoff "${handoff.title}" (${date(handoff.occurredAt)})`;
      dated.push({ where, phrases, position: handoff.position, occurredAt: handoff.occurredAt });
    }
    const inWindow = dated
      .filter((row) => row.occurredAt.getTime() > start && row.occurredAt.getTime() <= at.getTime())
      .sort(
        (a, b) =>
          a.occurredAt.getTime() - b.occurredAt.getTime() ||
          (a.position < b.position ? -1 : a.position > b.position ? 1 : 0),
      );
    places.push(...inWindow);
    const recheckAt = nextAfter(
      at,
      ...dated.map((row) => (row.occurredAt.getTime() > at.getTime() ? row.occurredAt : null)),
      ...inWindow.map((row) => addDays(row.occurredAt, days)),
    );
    if (places.length === 0) return { findings: [], recheckAt };

    const severity: FrictionSeverity =
      places.length >= 3 ? 'HIGH' : places.length === 2 || ratifiedPhrases.length > 0 ? 'MEDIUM' : 'LOW';
    const described = places
      .slice(0, LISTED)
      .map(({ where, phrases }) => `${phrases.map((text) => `"${text}"`).join(', ')} in ${where}`);
    if (places.length > LISTED) described.push(`and ${places.length - LISTED} more places`);
    return {
      findings: [
        {
          severity,
          message: `${subject.name} uses us-versus-them wording: ${described.join('; ')}.`,
          evidence: positions(...places.map((place) => place.position)),
        },
      ],
      recheckAt,
    };
  },
});
