// Verified API tokens are kept a moment per database, so a request need not
// read api_tokens every time; revocation through this process is immediate,
// through another within the cache's lifetime.
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { authenticate, cacheVerifiedTokens, issueToken, revokeToken } from '../../src/auth/tokens.ts';
import { sharedTokenCheck } from '../../src/http/tokenRecheck.ts';
import { useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

/** The test database's pool, counting the statements that reach it: a process's own pool. */
function countingPool() {
  const counted = {
    statements: 0,
    query: ((...args: Parameters<typeof db.pool.query>) => {
      counted.statements++;
      return (db.pool.query as (...a: unknown[]) => unknown)(...args);
    }) as typeof db.pool.query,
  };
  return counted;
}

async function tokenOf(role: 'READER' | 'ADMIN' = 'READER') {
  const organizationId = uuidv7();
  const issued = await issueToken(db.pool, organizationId, role, 'test', 'test');
  return { organizationId, ...issued, bearer: `Bearer ${issued.token}` };
}

describe('verified tokens', () => {
  it('reads a token once per lifetime, and again after it', async () => {
    const pool = countingPool();
    let now = 1_000_000;
    cacheVerifiedTokens(pool, 2_000, () => now);
    const { bearer, id } = await tokenOf();

    const first = await authenticate(pool, bearer, undefined);
    expect(first).toMatchObject({ status: 'ok', viewer: { kind: 'token', tokenId: id, role: 'READER' } });
    expect(await authenticate(pool, bearer, undefined)).toEqual(first);
    expect(pool.statements).toBe(1);

    now += 2_001;
    expect(await authenticate(pool, bearer, undefined)).toEqual(first);
    expect(pool.statements).toBe(2);
  });

  it('forgets a token revoked through this process at once', async () => {
    const pool = countingPool();
    cacheVerifiedTokens(pool, 60_000);
    const { bearer, id, organizationId } = await tokenOf();
    expect((await authenticate(pool, bearer, undefined)).status).toBe('ok');
    await revokeToken(pool, organizationId, id);
    expect(await authenticate(pool, bearer, undefined)).toEqual({ status: 'invalid' });
  });

  it('sees a revocation made by another process within the lifetime, or at once when asked fresh', async () => {
    const pool = countingPool();
    let now = 5_000_000;
    cacheVerifiedTokens(pool, 2_000, () => now);
    const { bearer, id, organizationId } = await tokenOf();
    expect((await authenticate(pool, bearer, undefined)).status).toBe('ok');

    await revokeToken(db.pool, organizationId, id); // another process: its own pool
    expect((await authenticate(pool, bearer, undefined)).status).toBe('ok');
    expect(await authenticate(pool, bearer, undefined, { fresh: true })).toEqual({ status: 'invalid' });
    now += 2_001;
    expect(await authenticate(pool, bearer, undefined)).toEqual({ status: 'invalid' });
  });

  it('keeps no invalid token, and nothing at all with a lifetime of 0, or for another database', async () => {
    const pool = countingPool();
    cacheVerifiedTokens(pool, 60_000);
    const wrong = 'Bearer os_not-a-token-of-this-database';
    await authenticate(pool, wrong, undefined);
    await authenticate(pool, wrong, undefined);
    expect(pool.statements).toBe(2);

    const { bearer } = await tokenOf();
    const uncached = countingPool();
    cacheVerifiedTokens(uncached, 0);
    await authenticate(uncached, bearer, undefined);
    await authenticate(uncached, bearer, undefined);
    expect(uncached.statements).toBe(2);

    // Verified through one pool: another pool (another database) still asks its own.
    await authenticate(pool, bearer, undefined);
    const other = countingPool();
    cacheVerifiedTokens(other, 60_000);
    await authenticate(other, bearer, undefined);
    expect(other.statements).toBe(1);
  });
});

describe('the token check open subscriptions share', () => {
  it('asks the database once per token and half interval, whatever the number of subscriptions, and sees a revocation', async () => {
    const pool = countingPool();
    let now = 5_000_000;
    const { stillValid } = sharedTokenCheck({ pool, adminToken: undefined, recheckMs: 10_000, now: () => now });
    const { bearer, organizationId, id } = await tokenOf();
    // A hundred subscriptions of one token checking at once.
    expect(await Promise.all(Array.from({ length: 100 }, () => stillValid(bearer)))).toEqual(Array(100).fill(true));
    expect(pool.statements).toBe(1);
    await revokeToken(db.pool, organizationId, id);
    now += 4_000; // within half the interval: the shared answer
    expect(await stillValid(bearer)).toBe(true);
    now += 1_001;
    expect(await stillValid(bearer)).toBe(false);
    expect(pool.statements).toBe(2);
  });
});
