import { v7 as uuidv7 } from 'uuid';
import { issueToken, revokeToken } from '../../src/auth/tokens.ts';
import { executeCommand } from '../../src/commands/execute.ts';
import { changeGrowthPhase, createOrganization } from '../../src/organization/organization.ts';
import { builder } from '../builder.ts';
import { badInput, forbidden } from '../errors.ts';
import { idOf } from '../ids.ts';
import { GrowthPhase, Role } from '../types/enums.ts';
import { commandMeta, commandOptionFields, runCommand } from './command.ts';

const organizationPayload = (name: string) =>
  builder.objectRef<{ organizationId: string; position: bigint | null }>(name).implement({
    fields: (t) => ({
      organization: t.prismaField({
        type: 'Organization',
        resolve: (query, payload, _args, context) =>
          context.prisma.organization.findUniqueOrThrow({ ...query, where: { id: payload.organizationId } }),
      }),
      position: t.expose('position', { type: 'Position', nullable: true }),
    }),
  });

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true, description: 'Lowercase letters, digits and dashes; unique.' }),
    growthPhase: t.field({ type: GrowthPhase, required: true }),
    ...commandOptionFields(t),
  }),
});

const CreateOrganizationPayload = builder
  .objectRef<{ organizationId: string; position: bigint | null; adminToken: string }>('CreateOrganizationPayload')
  .implement({
    fields: (t) => ({
      organization: t.prismaField({
        type: 'Organization',
        resolve: (query, payload, _args, context) =>
          context.prisma.organization.findUniqueOrThrow({ ...query, where: { id: payload.organizationId } }),
      }),
      adminToken: t.exposeString('adminToken', { description: 'The first ADMIN token; shown only this once.' }),
      position: t.expose('position', { type: 'Position', nullable: true }),
    }),
  });

builder.mutationField('createOrganization', (t) =>
  t.field({
    type: CreateOrganizationPayload,
    description: 'Creates an organization and its first ADMIN token. Platform token only.',
    authScopes: { platform: true },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const organizationId = uuidv7();
      const { name, slug, growthPhase, ...options } = input;
      const outcome = await executeCommand(
        context.commands,
        createOrganization,
        organizationId,
        { name, slug, growthPhase },
        commandMeta(context, options),
      );
      const created = outcome.result.organizationId;
      const { token } = await issueToken(context.pool, created, 'ADMIN', 'admin', context.viewer!.label);
      return { organizationId: created, position: outcome.position, adminToken: token };
    },
  }),
);

const IssueApiTokenInput = builder.inputType('IssueApiTokenInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    role: t.field({ type: Role, required: true }),
    label: t.string({ required: true, description: 'Names the token; recorded as the actor of its commands.' }),
  }),
});

const IssueApiTokenPayload = builder.objectRef<{ token: string; tokenId: string }>('IssueApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret; shown only this once.' }),
    tokenId: t.exposeID('tokenId', { description: 'To revoke it later.' }),
  }),
});

builder.mutationField('issueApiToken', (t) =>
  t.field({
    type: IssueApiTokenPayload,
    description: 'Issues a token for one organization and role. ADMIN of that organization, or the platform token.',
    authScopes: { platform: true, admin: true },
    args: { input: t.arg({ type: IssueApiTokenInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const organizationId = idOf(String(input.organizationId), 'Organization', 'organizationId');
      const viewer = context.viewer!;
      if (viewer.kind === 'token' && viewer.organizationId !== organizationId) throw forbidden();
      const label = input.label.trim();
      if (label.length === 0 || label.length > 100) throw badInput('label must have 1 to 100 characters');
      const exists = await context.prisma.organization.findUnique({
        where: { id: organizationId },
        select: { id: true },
      });
      if (!exists) throw badInput('No such organization', { field: 'organizationId' });
      const issued = await issueToken(context.pool, organizationId, input.role, label, viewer.label);
      return { token: issued.token, tokenId: issued.id };
    },
  }),
);

const RevokeApiTokenInput = builder.inputType('RevokeApiTokenInput', {
  fields: (t) => ({ tokenId: t.id({ required: true }) }),
});

builder.mutationField('revokeApiToken', (t) =>
  t.boolean({
    description: 'Revokes one of the organization’s tokens. ADMIN only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const viewer = context.viewer!;
      if (viewer.kind !== 'token') throw forbidden();
      const tokenId = String(input.tokenId);
      if (!/^[0-9a-f-]{36}$/i.test(tokenId)) throw badInput('tokenId is not a token id');
      await revokeToken(context.pool, viewer.organizationId, tokenId);
      return true;
    },
  }),
);

const ChangeGrowthPhaseInput = builder.inputType('ChangeGrowthPhaseInput', {
  fields: (t) => ({ phase: t.field({ type: GrowthPhase, required: true }), ...commandOptionFields(t) }),
});

builder.mutationField('changeGrowthPhase', (t) =>
  t.field({
    type: organizationPayload('ChangeGrowthPhasePayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: ChangeGrowthPhaseInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { phase, ...options } = input;
      const outcome = await runCommand(context, changeGrowthPhase, { phase }, options);
      return { organizationId: outcome.result.organizationId, position: outcome.position };
    },
  }),
);
