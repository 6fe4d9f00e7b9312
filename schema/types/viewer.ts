import { builder } from '../builder.ts';
import { Role } from './enums.ts';

type ViewerShape = { role: string | null; organizationId: string | null; platform: boolean; label: string };

const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'Who the caller’s token is.',
  fields: (t) => ({
    role: t.field({ type: Role, nullable: true, resolve: (viewer) => viewer.role as never }),
    platform: t.exposeBoolean('platform', { description: 'True for the platform token (ORGSTREAM_ADMIN_TOKEN).' }),
    label: t.exposeString('label'),
    organization: t.prismaField({
      type: 'Organization',
      nullable: true,
      resolve: (query, viewer, _args, context) =>
        viewer.organizationId
          ? context.prisma.organization.findUnique({ ...query, where: { id: viewer.organizationId } })
          : null,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => {
      const viewer = context.viewer!;
      return viewer.kind === 'token'
        ? { role: viewer.role, organizationId: viewer.organizationId, platform: false, label: viewer.label }
        : { role: null, organizationId: null, platform: true, label: viewer.label };
    },
  }),
);
