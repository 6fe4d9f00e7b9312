// Builds the GraphQL schema from the type modules. Index files only import.
import { builder } from './builder.ts';
import './server.ts';

export const schema = builder.toSchema({ sortSchema: true });
