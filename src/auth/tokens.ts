// API tokens. A token is `os_` + 32 random bytes (base64url); only its
// SHA-256 is stored, so a database leak does not leak credentials. The
// platform token (ORGSTREAM_ADMIN_TOKEN) never touches the database and is
// compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../errors.ts';

export const ROLES = ['ADMIN', 'EDITOR', 'READER', 'ANALYST'] as const;
export type Role = (typeof ROLES)[number];

/** The roles that audit: the event log, histories, time travel, exports. */
export const AUDIT_ROLES: ReadonlySet<Role> = new Set<Role>(['ANALYST', 'ADMIN']);

/** Who is calling: an organization's token, or the platform token. */
export type Viewer =
  | { kind: 'token'; tokenId: string; organizationId: string; role: Role; label: string }
  | { kind: 'platform'; label: 'platform' };

const TOKEN_PREFIX = 'os_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const tokenLabel = z.string().trim().min(1).max(100);

export async function issueToken(
  db: Pick<pg.ClientBase, 'query'>,
  organizationId: string,
  role: Role,
  label: string,
  createdBy: string,
): Promise<{ id: string; token: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = uuidv7();
  await db.query(
    `INSERT INTO api_tokens (id, organization_id, role, label, token_hash, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, now(), $6)`,
    [id, organizationId, role, label, hashToken(token), createdBy],
  );
  return { id, token };
}

export async function revokeToken(db: Pick<pg.ClientBase, 'query'>, organizationId: string, tokenId: string) {
  const result = await db.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL',
    [tokenId, organizationId],
  );
  if (result.rowCount === 0) throw new NotFoundError('No such active token', { id: tokenId });
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashToken(a), 'hex');
  const right = Buffer.from(hashToken(b), 'hex');
  return timingSafeEqual(left, right);
}

/** No credential, a wrong one, or who the credential names. */
export type Authentication = { status: 'anonymous' } | { status: 'invalid' } | { status: 'ok'; viewer: Viewer };

const ANONYMOUS: Authentication = { status: 'anonymous' };
const INVALID: Authentication = { status: 'invalid' };

/** Reads an `Authorization: Bearer <token>` value (HTTP header or WebSocket connectionParams). */
export async function authenticate(
  db: Pick<pg.Pool, 'query'>,
  authorization: string | null | undefined,
  adminToken: string | undefined,
): Promise<Authentication> {
  if (!authorization) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const token = match?.[1];
  if (!token) return INVALID;
  if (adminToken && sameSecret(token, adminToken))
    return { status: 'ok', viewer: { kind: 'platform', label: 'platform' } };
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return INVALID;
  const found = await db.query<{ id: string; organization_id: string; role: Role; label: string }>(
    'SELECT id, organization_id, role, label FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [hashToken(token)],
  );
  const row = found.rows[0];
  if (!row) return INVALID;
  return {
    status: 'ok',
    viewer: { kind: 'token', tokenId: row.id, organizationId: row.organization_id, role: row.role, label: row.label },
  };
}

/** Whether the viewer holds an organization token of an audit role. */
export function mayAudit(viewer: Viewer | undefined): boolean {
  return viewer?.kind === 'token' && AUDIT_ROLES.has(viewer.role);
}

export function organizationOf(viewer: Viewer | undefined): string {
  if (viewer?.kind !== 'token') throw new ForbiddenError('This operation needs an organization token');
  return viewer.organizationId;
}
