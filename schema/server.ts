import packageJson from '../package.json' with { type: 'json' };
import { builder } from './builder.ts';

builder.queryField('serverVersion', (t) =>
  t.string({
    description: 'The version of the Orgstream server answering.',
    resolve: () => packageJson.version,
  }),
);
