// Shared by the benchmarks: a throwaway database (embedded PostgreSQL or a
// fresh database on BENCH_DATABASE_URL), timing loops, percentiles, the
// machine description and the results table. Figures are only meaningful as
// ratios against a baseline measured in the same run on the same database.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { quoteIdentifier, withClient } from '../src/db/pool.ts';

export const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

// ---------------------------------------------------------------------------
// Database
// ---------------------------------------------------------------------------

export type BenchDatabase = {
  url: string;
  /** Where it runs: "embedded PostgreSQL (…)" or the server's host. */
  description: string;
  /**
   * The CPU time the server's processes have used so far, in ms (the embedded
   * server only: a remote server's processes are out of sight).
   */
  serverCpuMs?: () => Promise<number>;
  close(): Promise<void>;
};

/**
 * BENCH_DATABASE_URL (a server URL): a fresh database `orgstream_bench_<hex>`
 * on it, dropped at the end. Otherwise an embedded PostgreSQL with default
 * durability (fsync and synchronous_commit on) in `.tmp/`, removed at the end.
 * Either way the migrations are applied.
 */
/** Server processes still running: stopped if the benchmark exits or is interrupted first. */
const liveServers = new Set<ChildProcess>();
/** What an interrupted benchmark still cleans up (its database) before it exits. */
const cleanups = new Set<() => Promise<void>>();
let watching = false;

/** On exit, Ctrl-C or SIGTERM: the server processes are stopped and the cleanups run (10 s at most). */
function cleanUpWhenInterrupted(): void {
  if (watching) return;
  watching = true;
  process.once('exit', () => {
    for (const child of liveServers) child.kill('SIGTERM');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of liveServers) child.kill('SIGTERM');
      const code = signal === 'SIGINT' ? 130 : 143;
      setTimeout(() => process.exit(code), 10_000).unref();
      void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(code));
    });
  }
}

export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const name = `orgstream_bench_${randomBytes(6).toString('hex')}`;
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) {
    await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    const url = databaseUrl(serverUrl, name);
    const drop = () =>
      withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
    try {
      await applyMigrations(url);
    } catch (error) {
      await drop().catch(() => {});
      throw error;
    }
    return {
      url,
      description: `BENCH_DATABASE_URL server ${new URL(serverUrl).host}, database ${name}`,
      close: async () => {
        await drop();
      },
    };
  }

  const dataDir = join(repositoryRoot, '.tmp', `bench-pg-${process.pid}-${randomBytes(3).toString('hex')}`);
  const port = await freePort();
  log(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir}, default durability)`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    // No settings: default durability (fsync, synchronous_commit, full_page_writes on).
  });
  const stop = async () => {
    cleanups.delete(stop);
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  cleanUpWhenInterrupted();
  cleanups.add(stop);
  try {
    await server.createDatabase(name);
    await applyMigrations(server.urlFor(name));
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    url: server.urlFor(name),
    description: `embedded PostgreSQL, 127.0.0.1:${port}`,
    serverCpuMs: () => postgresCpuMs(join(dataDir, 'pg')),
    close: stop,
  };
}

/**
 * CPU time of a local PostgreSQL server, in ms: the postmaster's own, that of
 * the backends it has reaped (cutime, cstime) and that of the ones still
 * running (Linux /proc; 0 elsewhere).
 */
async function postgresCpuMs(clusterDir: string): Promise<number> {
  const postmaster = Number((await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  let ticks = 0;
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may hold spaces): state, ppid, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    if (pid !== postmaster && Number(fields[1]) !== postmaster) continue;
    // utime, stime, cutime, cstime (fields 14-17 of stat(5)).
    ticks += Number(fields[11]) + Number(fields[12]);
    if (pid === postmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / clockTicksPerSecond();
}

let clockTicks: number | undefined;
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

// ---------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------

export type Machine = {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  postgres: string;
  date: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews every figure. */
  load: number[];
};

export async function describeMachine(postgresVersion: string): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return {
    cpu,
    cores: availableParallelism(),
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: postgresVersion,
    date: new Date().toISOString(),
    load: loadavg(),
  };
}

export function formatMachine(machine: Machine): string {
  return [
    `CPU:        ${machine.cpu}, ${machine.cores} cores`,
    `RAM:        ${machine.ramGiB} GiB`,
    `Node:       ${machine.node}`,
    `PostgreSQL: ${machine.postgres}`,
    `Date:       ${machine.date}`,
    `Load:       ${formatLoad(machine.load)} (1/5/15 min) at the start`,
  ].join('\n');
}

export function formatLoad(load: readonly number[] = loadavg()): string {
  return load.map((value) => value.toFixed(2)).join(' / ');
}

/** Cumulative CPU ticks of the whole machine (all processes), from /proc/stat. */
export type CpuSnapshot = { busy: number; total: number };

export async function cpuSnapshot(): Promise<CpuSnapshot> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const fields = (/^cpu\s+(.+)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal ...
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + (value || 0), 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy between two snapshots (0..1); NaN when /proc/stat is unavailable. */
export function cpuBusy(before: CpuSnapshot, after: CpuSnapshot): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : Number.NaN;
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type LoopResult = {
  /** Operations completed inside the measured window. */
  operations: number;
  /** Seconds from the start to the completion of the last operation. */
  seconds: number;
  /** Latency of each operation, in milliseconds. */
  latencies: number[];
};

/**
 * Runs `workers` concurrent loops, each calling `operation(worker)` back to
 * back until `seconds` have passed; operations started before the deadline
 * are awaited and counted.
 */
export async function runFor(
  workers: number,
  seconds: number,
  operation: (worker: number) => Promise<unknown>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  const start = now();
  const deadline = start + seconds * 1000;
  let end = start;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (now() < deadline) {
        const begun = now();
        await operation(worker);
        const finished = now();
        latencies.push(finished - begun);
        if (finished > end) end = finished;
      }
    }),
  );
  return { operations: latencies.length, seconds: (end - start) / 1000, latencies };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/** 1234567 → "1,234,567"; small values keep `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '–';
}

/** A GitHub-flavoured Markdown table (readable in a terminal too). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// The server, in a child process
// ---------------------------------------------------------------------------

export type ServerProcess = {
  url: string;
  child: ChildProcess;
  exited: () => boolean;
  stderr: () => string;
  stop(): Promise<void>;
};

/**
 * The service (`src/main.ts`) in a child process, so that a benchmark's load
 * generator and the server do not share an event loop; resolves once /health
 * answers. Its log lines (at `logLevel`) and stderr are kept for error messages.
 */
export async function startServerProcess(options: {
  databaseUrl: string;
  adminToken: string;
  poolSize: number;
  logLevel?: string;
  /** More configuration, e.g. `ORGSTREAM_ANSWER_CACHE_MB: '0'`. */
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const { databaseUrl, adminToken, poolSize } = options;
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      ORGSTREAM_ADMIN_TOKEN: adminToken,
      ORGSTREAM_DB_POOL_SIZE: String(poolSize),
      LOG_LEVEL: options.logLevel ?? 'warn',
      ...options.env,
    },
    // stdout: pino's log lines (warnings and errors only); stderr: anything else.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanUpWhenInterrupted();
  liveServers.add(child);
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      liveServers.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const server: ServerProcess = { url, child, exited: () => exitCode !== undefined, stderr: () => stderr, stop };
  const deadline = now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited with ${exitCode} before listening:\n${stderr}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /health within 60 s:\n${stderr}`);
    }
    await sleep(100);
  }
  return server;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN elsewhere. */
export async function processCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: utime and stime are fields 14 and 15 (1-based), in clock ticks (100 Hz on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
