import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { commandOptionFields, runCommand, targetedMutation } from './command.ts';
import { teamPayload } from './payloads.ts';

targetedMutation({
  name: 'recordDeliveryMetrics',
  handler: recordDeliveryMetrics,
  idField: 'teamId',
  idType: 'Team',
  payload: teamPayload,
  fields: (t) => ({
    leadTimeHours: t.float({ required: false, description: 'Lead time to production, hours.' }),
    buildTimeMinutes: t.float({ required: false }),
    incidents: t.int({ required: false, description: 'Incidents in the period.' }),
    deploymentsPerWeek: t.float({ required: false }),
    productivityPulse: t.int({ required: false, description: '“I feel productive”, 1..5.' }),
  }),
});

// What setFrictionThresholds wrote, readable on the organization.
builder.prismaObjectFields('Organization', (t) => ({
  frictionThresholds: t.expose('thresholds', {
    type: 'JSON',
    description: 'The organization’s overrides of the default friction thresholds, by name.',
  }),
}));

const SetFrictionThresholdsInput = builder.inputType('SetFrictionThresholdsInput', {
  fields: (t) => ({
    thresholds: t.field({
      type: 'JSON',
      required: true,
      description: 'An object of threshold name to number; null restores the default of that threshold.',
    }),
    ...commandOptionFields(t),
  }),
});

const SetFrictionThresholdsPayload = builder
  .objectRef<{ organizationId: string; position: bigint | null }>('SetFrictionThresholdsPayload')
  .implement({
    fields: (t) => ({
      organization: t.prismaField({
        type: 'Organization',
        resolve: (query, payload, _args, context) =>
          context.prisma.organization.findUniqueOrThrow({ ...query, where: { id: payload.organizationId } }),
      }),
      position: t.expose('position', {
        type: 'Position',
        nullable: true,
        description: 'The last event the command appended.',
      }),
    }),
  });

builder.mutationField('setFrictionThresholds', (t) =>
  t.field({
    type: SetFrictionThresholdsPayload,
    description: 'Overrides friction thresholds of the organization. ADMIN only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetFrictionThresholdsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { thresholds, ...options } = input;
      if (typeof thresholds !== 'object' || thresholds === null || Array.isArray(thresholds)) {
        throw badInput('thresholds must be an object of threshold name to number or null', { field: 'thresholds' });
      }
      const outcome = await runCommand(context, setFrictionThresholds, { thresholds }, options);
      return { organizationId: outcome.result.organizationId, position: outcome.position };
    },
  }),
);
