// Builds the GraphQL schema from the type modules. Index files only import.
import { builder } from './builder.ts';
import './scalars.ts';
import './server.ts';
import './types/enums.ts';
import './types/organization.ts';
import './types/team.ts';
import './types/person.ts';
import './types/valueStream.ts';
import './types/responsibility.ts';
import './types/viewer.ts';
import './mutations/organization.ts';
import './mutations/teams.ts';
import './mutations/people.ts';

export const schema = builder.toSchema({ sortSchema: true });
