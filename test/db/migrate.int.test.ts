// The project's own migration commands (src/db/migrate.ts) against a real,
// throwaway PostgreSQL: they must leave the same `_prisma_migrations` history
// as `prisma migrate deploy`, be idempotent and safe to run concurrently, and
// never try to undo hand-written SQL that Prisma's schema does not model.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPostgres, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { applyMigrations, createMigration, defaultMigrationPaths, type MigrationPaths } from '../../src/db/migrate.ts';
import { withClient } from '../../src/db/pool.ts';
import { freePort } from '../support/freePort.ts';

let dir: string;
let server: RunningPostgres;
let databaseCount = 0;

/** A new, empty database on the throwaway server. */
async function freshDatabase(): Promise<string> {
  databaseCount += 1;
  const name = `migrate_test_${databaseCount}`;
  await server.createDatabase(name);
  return server.urlFor(name);
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(sql)).rows as T[]);
}

async function migrationNames(migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** prisma/migrations copied to a scratch directory, so a test can add to it. */
async function copyOfMigrations(label: string): Promise<MigrationPaths> {
  const migrationsDir = join(dir, label);
  await cp(defaultMigrationPaths.migrationsDir, migrationsDir, { recursive: true });
  return { schemaPath: defaultMigrationPaths.schemaPath, migrationsDir };
}

async function addMigration(paths: MigrationPaths, name: string, sql: string): Promise<void> {
  await mkdir(join(paths.migrationsDir, name));
  await writeFile(join(paths.migrationsDir, name, 'migration.sql'), sql);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgstream-migrate-'));
  // As root, the server runs as the `postgres` system user (see embedded.ts),
  // which must be able to reach its data directory inside this 0700 one.
  await chmod(dir, 0o755);
  server = await startEmbeddedPostgres({
    dataDir: join(dir, 'db'),
    port: await freePort(),
    settings: { fsync: 'off' },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('applyMigrations', () => {
  it('creates the tables and records every migration as `prisma migrate deploy` does', async () => {
    const url = await freshDatabase();
    const expected = await migrationNames(defaultMigrationPaths.migrationsDir);
    expect(expected.length).toBeGreaterThan(0);

    expect(await applyMigrations(url)).toEqual(expected);

    const tables = await query<{ events: string | null; streams: string | null }>(
      url,
      "SELECT to_regclass('public.events')::text AS events, to_regclass('public.streams')::text AS streams",
    );
    expect(tables).toEqual([{ events: 'events', streams: 'streams' }]);

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(
      url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(expected);
    for (const row of rows) {
      const sql = await readFile(join(defaultMigrationPaths.migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('is a no-op when everything is applied', async () => {
    const url = await freshDatabase();
    await applyMigrations(url);
    expect(await applyMigrations(url)).toEqual([]);
    const [count] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM _prisma_migrations');
    expect(count?.n).toBe((await migrationNames(defaultMigrationPaths.migrationsDir)).length);
  });

  it('applies once when two runs race for the same database', async () => {
    const url = await freshDatabase();
    const expected = await migrationNames(defaultMigrationPaths.migrationsDir);

    const results = await Promise.all([applyMigrations(url), applyMigrations(url)]);

    expect(results.flat().sort()).toEqual(expected);
    expect(results.some((names) => names.length === 0)).toBe(true);
    const rows = await query<{ migration_name: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(expected);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  it('runs hand-written PL/pgSQL whole and reports a failing migration by name', async () => {
    const paths = await copyOfMigrations('apply-plpgsql');
    // Semicolons inside a dollar-quoted body: the script must not be split.
    await addMigration(
      paths,
      '29990101000000_functions',
      `CREATE FUNCTION orgstream_test_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only; % refused', TG_OP;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION orgstream_test_guard();
`,
    );
    const url = await freshDatabase();
    expect(await applyMigrations(url, { paths })).toContain('29990101000000_functions');
    const functions = await query<{ proname: string }>(
      url,
      "SELECT proname FROM pg_proc WHERE proname = 'orgstream_test_guard'",
    );
    expect(functions).toHaveLength(1);

    await addMigration(
      paths,
      '29990102000000_broken',
      'CREATE TABLE half_applied (id int);\nSELECT * FROM no_such_table;\n',
    );
    await expect(applyMigrations(url, { paths })).rejects.toThrow(
      /Migration 29990102000000_broken failed to apply: .*no_such_table/,
    );
    // One script, one implicit transaction: nothing of the broken migration stays.
    const [leftover] = await query<{ t: string | null }>(url, "SELECT to_regclass('public.half_applied')::text AS t");
    expect(leftover?.t).toBeNull();
  });
});

describe('createMigration', () => {
  it('returns null and writes nothing when the migrations match prisma/schema.prisma', async () => {
    const url = await freshDatabase();
    const before = await migrationNames(defaultMigrationPaths.migrationsDir);

    expect(await createMigration(url, 'nothing_to_do', { createOnly: true })).toBeNull();

    expect(await migrationNames(defaultMigrationPaths.migrationsDir)).toEqual(before);
    // The shadow database it replayed the history into is gone again.
    const shadows = await query<{ datname: string }>(
      server.adminUrl,
      "SELECT datname FROM pg_database WHERE datname LIKE 'orgstream_shadow_%'",
    );
    expect(shadows).toEqual([]);
  });

  it('does not try to drop functions, triggers or checks that Prisma does not model', async () => {
    const paths = await copyOfMigrations('create-plpgsql');
    await addMigration(
      paths,
      '29990101000000_hand_written',
      `CREATE FUNCTION orgstream_test_next(v integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN v + 1;
END;
$$;
CREATE FUNCTION orgstream_test_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION orgstream_test_guard();
ALTER TABLE streams ADD CONSTRAINT streams_version_not_negative CHECK (version >= 0);
`,
    );
    const url = await freshDatabase();
    expect(await createMigration(url, 'nothing_to_do', { createOnly: true, paths })).toBeNull();
  });

  it('writes the difference as a new migration and applies it', async () => {
    const paths = await copyOfMigrations('create-new');
    // The schema has changed since the migrations were written: an extra model.
    const schema = await readFile(defaultMigrationPaths.schemaPath, 'utf8');
    paths.schemaPath = join(dir, 'create-new.prisma');
    await writeFile(paths.schemaPath, `${schema}\nmodel MigrateProbe {\n  id Int @id\n\n  @@map("migrate_probe")\n}\n`);
    const url = await freshDatabase();

    const created = await createMigration(url, 'Add probe!', { paths });

    expect(created).toMatch(/^\d{14}_add_probe$/);
    const sql = await readFile(join(paths.migrationsDir, created!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "migrate_probe"');
    expect(sql).not.toMatch(/DROP/);
    const [table] = await query<{ t: string | null }>(url, "SELECT to_regclass('public.migrate_probe')::text AS t");
    expect(table?.t).toBe('migrate_probe');
    expect(await createMigration(url, 'again', { createOnly: true, paths })).toBeNull();
  });
});
