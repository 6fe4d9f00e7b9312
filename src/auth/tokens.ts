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
  // Not accepted from this process's cache of verified tokens any more either.
  verifiedTokens.get(db)?.forget(tokenId);
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

type Verified = { authentication: Authentication & { status: 'ok' }; tokenId: string; until: number };

/**
 * Tokens of one database verified a moment ago, so that every request does
 * not read api_tokens again: a hit saves a round trip on each request.
 * Only valid tokens are kept, for `ttlMs`. Revoking a token through this
 * process forgets it at once; a revocation made through another process
 * takes effect here within `ttlMs` (ORGSTREAM_TOKEN_CACHE_MS).
 */
class VerifiedTokens {
  readonly #byHash = new Map<string, Verified>();
  readonly ttlMs: number;
  readonly now: () => number;

  constructor(ttlMs: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get(hash: string): Verified['authentication'] | undefined {
    const hit = this.#byHash.get(hash);
    if (!hit) return undefined;
    if (hit.until > this.now()) return hit.authentication;
    this.#byHash.delete(hash);
    return undefined;
  }

  set(hash: string, authentication: Verified['authentication'], tokenId: string): void {
    // Oldest first out beyond the bound (a Map keeps insertion order).
    if (this.#byHash.size >= MAX_VERIFIED) this.#byHash.delete(this.#byHash.keys().next().value!);
    this.#byHash.set(hash, { authentication, tokenId, until: this.now() + this.ttlMs });
  }

  forget(tokenId: string): void {
    for (const [hash, entry] of this.#byHash) if (entry.tokenId === tokenId) this.#byHash.delete(hash);
  }
}

const MAX_VERIFIED = 10_000;
/** Per database (its pool): tokens are only valid in the database that issued them. */
const verifiedTokens = new WeakMap<object, VerifiedTokens>();

/** Keeps the tokens verified through `db` for `ttlMs` (0: every request reads api_tokens). */
export function cacheVerifiedTokens(db: object, ttlMs: number, now: () => number = Date.now): void {
  if (ttlMs > 0) verifiedTokens.set(db, new VerifiedTokens(ttlMs, now));
  else verifiedTokens.delete(db);
}

/**
 * Reads an `Authorization: Bearer <token>` value (HTTP header or WebSocket
 * connectionParams). `fresh`: ask the database even if the token was
 * verified a moment ago (a periodic re-check looks for revocations).
 */
export async function authenticate(
  db: Pick<pg.Pool, 'query'>,
  authorization: string | null | undefined,
  adminToken: string | undefined,
  options: { fresh?: boolean } = {},
): Promise<Authentication> {
  if (!authorization) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const token = match?.[1];
  if (!token) return INVALID;
  if (adminToken && sameSecret(token, adminToken))
    return { status: 'ok', viewer: { kind: 'platform', label: 'platform' } };
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return INVALID;
  const hash = hashToken(token);
  const cache = verifiedTokens.get(db);
  const known = options.fresh ? undefined : cache?.get(hash);
  if (known) return known;
  const found = await db.query<{ id: string; organization_id: string; role: Role; label: string }>(
    'SELECT id, organization_id, role, label FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [hash],
  );
  const row = found.rows[0];
  if (!row) return INVALID;
  const authentication = {
    status: 'ok' as const,
    viewer: {
      kind: 'token' as const,
      tokenId: row.id,
      organizationId: row.organization_id,
      role: row.role,
      label: row.label,
    },
  };
  cache?.set(hash, authentication, row.id);
  return authentication;
}

/** Whether the viewer holds an organization token of an audit role. */
export function mayAudit(viewer: Viewer | undefined): boolean {
  return viewer?.kind === 'token' && AUDIT_ROLES.has(viewer.role);
}

export function organizationOf(viewer: Viewer | undefined): string {
  if (viewer?.kind !== 'token') throw new ForbiddenError('This operation needs an organization token');
  return viewer.organizationId;
}
