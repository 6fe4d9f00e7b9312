// The `asOf` and `knownAt` arguments of the root fields that can read the
// past (API.md: organization, team, person, responsibility). The moment is
// chosen for the whole operation before it runs (src/http/timeTravel.ts);
// here the arguments are declared, reserved to ANALYST and ADMIN, and checked.
import type { ArgBuilder } from '@pothos/core';
import type { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { badInput } from './errors.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

type PastArgs = { asOf?: Date | null | undefined; knownAt?: Date | null | undefined };

/** `asOf` (org time) and `knownAt` (record time). */
export function timeTravelArgs(arg: ArgBuilder<Types>) {
  return {
    asOf: arg({
      type: 'DateTime',
      required: false,
      description:
        'Answer as the organization was at this moment of org time: only events that occurred by then count. ANALYST or ADMIN.',
    }),
    knownAt: arg({
      type: 'DateTime',
      required: false,
      description:
        'Answer as the system knew it at this moment of record time: only events recorded by then count (back-dated events recorded later do not). ANALYST or ADMIN.',
    }),
  };
}

const readsPast = (args: PastArgs) => Boolean(args.asOf || args.knownAt);

/** Reading now: every role. Reading the past: ANALYST and ADMIN (audit). */
export function pastOrPresentScopes(_parent: unknown, args: PastArgs) {
  return readsPast(args) ? { analyst: true } : { reader: true };
}

/** Fails when the arguments ask for the past but the operation was not run there (not a query). */
export function assertMoment(context: GraphQLContext, args: PastArgs): void {
  if (!readsPast(args)) return;
  const view = context.timeView;
  if (
    !view ||
    view.asOf?.getTime() !== (args.asOf ?? undefined)?.getTime() ||
    view.knownAt?.getTime() !== (args.knownAt ?? undefined)?.getTime()
  ) {
    throw badInput('asOf and knownAt are read by queries only');
  }
}
