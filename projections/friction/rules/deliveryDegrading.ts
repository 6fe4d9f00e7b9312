// DELIVERY_DEGRADING ("velocity loss, rising incidents"): lead time, build time
// or incidents worse by 20 %+ across a team's last 3 observations (DOMAIN.md).
//
// The reading: each metric on its own, among the team's last
// `degradationObservations` observations that report it (delivery_metrics in
// observedAt order, then position), the latest is at least
// `degradationPercent` % worse than the first of them: higher is worse for all
// three metrics, and "by 20 %+" includes exactly 20 %. What lies between does
// not matter (10 → 8 → 13 degrades: 13 ≥ 12); DOMAIN.md asks for worse across
// the observations, not for steadily worse. The comparison is exact on the
// decimals recorded (last × 100 ≥ first × (100 + percent)), so 8.5 → 10.2 is
// +20 %. A first value of 0 has no percentage to grow by: then any rise counts
// (0 → 1 incident degrades).
//
// One signal per team naming every degrading metric; MEDIUM for one metric,
// HIGH for two or three. Evidence: the observations behind those metrics. A
// later observation that is not that much worse than the new first resolves it.
import type { DeliveryMetric } from '../../../src/generated/prisma/client.ts';
import { deliveryMetrics, teams } from '../../tables.ts';
import { compareProducts, defineRule, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

const METRICS = [
  { field: 'leadTimeHours', label: 'lead time', unit: ' h' },
  { field: 'buildTimeMinutes', label: 'build time', unit: ' min' },
  { field: 'incidents', label: 'incidents', unit: '' },
] as const;

/** At most two decimals, without trailing zeros. */
const number = (value: number) => String(Math.round(value * 100) / 100);

const inOrder = (a: DeliveryMetric, b: DeliveryMetric) =>
  a.observedAt.getTime() - b.observedAt.getTime() || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0);

/**
 * The last `count` rows reporting `field`, in observation order, oldest
 * first. A team's history grows with every recording, and this runs on each
 * one: one pass keeping the latest few, not a sort of the whole history. The
 * pass goes from the end: rows recorded by commands come in log order, which
 * is observation order unless back-dated, so once the latest few are kept the
 * rest are each dismissed with one comparison. (Any order gives the same
 * rows, only slower: the order compared is total, positions differ.)
 */
function latest(
  rows: readonly DeliveryMetric[],
  field: (typeof METRICS)[number]['field'],
  count: number,
): DeliveryMetric[] {
  const kept: DeliveryMetric[] = [];
  for (let index = rows.length - 1; index >= 0; index--) {
    const row = rows[index]!;
    if (row[field] === null) continue;
    if (kept.length === count && inOrder(row, kept[0]!) <= 0) continue;
    let at = kept.length;
    while (at > 0 && inOrder(row, kept[at - 1]!) < 0) at--;
    kept.splice(at, 0, row);
    if (kept.length > count) kept.shift();
  }
  return kept;
}

export const deliveryDegrading = defineRule({
  kind: 'DELIVERY_DEGRADING',
  subjectKind: 'TEAM',
  description: 'A team whose lead time, build time or incidents got markedly worse across its latest observations.',
  thresholds: {
    degradationPercent: {
      description: 'How much worse, in percent, the last observation must be than the first for a metric to degrade.',
      default: 20,
      min: 1,
      max: 10_000,
    },
    degradationObservations: {
      description: 'How many of the latest observations of a metric are compared.',
      default: 3,
      min: 2,
      max: 20,
    },
  },
  affects: {
    DeliveryMetricsRecorded: team,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const percent = thresholds.degradationPercent!;
    const count = Math.max(2, Math.floor(thresholds.degradationObservations!));
    const observations = await ws.where(deliveryMetrics, { teamId });

    const degrading: { text: string; rows: DeliveryMetric[] }[] = [];
    for (const { field, label, unit } of METRICS) {
      const rows = latest(observations, field, count);
      if (rows.length < count) continue;
      const values = rows.map((row) => row[field]!);
      const first = values[0]!;
      const last = values.at(-1)!;
      const worse = first === 0 ? last > 0 : compareProducts([last, 100], [first, 100 + percent]) >= 0;
      if (!worse) continue;
      const change = first === 0 ? 'up from 0' : `+${Math.round(((last - first) / first) * 100)}%`;
      degrading.push({ text: `${label} ${values.map(number).join(' → ')}${unit} (${change})`, rows });
    }
    if (degrading.length === 0) return { findings: [] };
    return {
      findings: [
        {
          severity: degrading.length >= 2 ? 'HIGH' : 'MEDIUM',
          message: `${subject.name} delivers worse over its last ${count} observations, by ${percent}% or more: ${degrading
            .map(({ text }) => text)
            .join('; ')}.`,
          evidence: positions(...degrading.flatMap(({ rows }) => rows.map((row) => row.position))),
        },
      ],
    };
  },
});
