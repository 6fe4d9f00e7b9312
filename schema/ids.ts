// Relay global ids in inputs: decoded once, checked against the types the
// field accepts, so a Person id given where a Team id belongs is a clear
// BAD_USER_INPUT instead of a confusing NOT_FOUND.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { badInput } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeId(
  globalId: string,
  accepted: readonly string[],
  field: string,
): { typename: string; id: string } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw badInput(`${field} is not a valid id`, { field });
  }
  if (!accepted.includes(decoded.typename) || !UUID.test(decoded.id)) {
    throw badInput(`${field} must be the id of a ${accepted.join(' or ')}`, { field });
  }
  return decoded;
}

export function idOf(globalId: string, type: string, field: string): string {
  return decodeId(globalId, [type], field).id;
}

export function optionalIdOf(
  globalId: string | null | undefined,
  type: string,
  field: string,
): string | null | undefined {
  if (globalId === null || globalId === undefined) return globalId;
  return idOf(globalId, type, field);
}
