// `npm run bench:projections`: how fast every read model is rebuilt from the
// log (blue/green rebuild: replay into memory, write fresh tables, swap),
// beside the rate at which the same log is merely read, in the same run.
//
// The log is generated directly through the event store (not commands: the
// loading time is not the point), shaped like a real org log: people, teams,
// memberships changing, responsibilities changing hands (both org-time
// histories), metrics, interactions, handoffs, investment mixes, renames
// (bench/generatedLog.ts). Each generated command is appended in a
// transaction of its own, as the service appends a command's events: a
// rebuild evaluates the friction rules once per transaction, as commands do,
// so a log loaded in big batches would spare it most evaluations. The
// organizations are loaded side by side, each in its own order.
//   BENCH_EVENTS (default 1,000,000), BENCH_PER_ORGANIZATION (events per
//   organization, default 100,000), BENCH_DATABASE_URL (else embedded).
import { v7 as uuidv7 } from 'uuid';
import { createEventCatalog } from '../events/index.ts';
import { rebuildReadModels } from '../projections/rebuild.ts';
import { createPool } from '../src/db/pool.ts';
import { ALL_ORGANIZATIONS, EventStore } from '../src/eventStore/eventStore.ts';
import type { AppendRequest } from '../src/eventStore/types.ts';
import { organizationLog } from './generatedLog.ts';
import {
  cpuBusy,
  cpuSnapshot,
  describeMachine,
  envNumber,
  formatMachine,
  formatNumber,
  formatRatio,
  markdownTable,
  now,
  openBenchDatabase,
} from './support.ts';

const TOTAL = envNumber('BENCH_EVENTS', 1_000_000);
const PER_ORGANIZATION = envNumber('BENCH_PER_ORGANIZATION', 100_000);
const log = (line: string) => console.log(line);

async function main() {
  const database = await openBenchDatabase(log);
  const pool = createPool(database.url, { max: 10, applicationName: 'orgstream-bench' });
  try {
    const store = new EventStore(pool, createEventCatalog());
    const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const machine = await describeMachine(version);
    log(formatMachine(machine));
    log(`database: ${database.description}`);

    // --- load ---
    const loadStarted = now();
    let loaded = 0;
    let commands = 0;
    const organizations: { organizationId: string; count: number; seed: number }[] = [];
    for (let planned = 0; planned < TOTAL; planned += PER_ORGANIZATION) {
      organizations.push({
        organizationId: uuidv7(),
        count: Math.min(PER_ORGANIZATION, TOTAL - planned),
        seed: organizations.length + 1,
      });
    }
    await Promise.all(
      organizations.map(async ({ organizationId, count, seed }) => {
        let pending: (AppendRequest & { events: { type: string; data: unknown; occurredAt: Date }[] })[] = [];
        let current = -1;
        let mine = 0;
        const flush = async () => {
          if (pending.length === 0) return;
          await store.appendMany(organizationId, pending);
          const events = pending.reduce((sum, request) => sum + request.events.length, 0);
          loaded += events;
          mine += events;
          commands++;
          pending = [];
        };
        for (const { streamId, event, occurredAt, command } of organizationLog(organizationId, count, seed)) {
          if (command !== current) {
            await flush();
            current = command;
          }
          let request = pending.find((candidate) => candidate.streamId === streamId);
          if (!request) {
            request = { streamId, events: [] };
            pending.push(request);
          }
          request.events.push({ type: event.type, data: event.data, occurredAt });
        }
        await flush();
        log(`loaded the ${formatNumber(mine)} events of organization ${seed}`);
      }),
    );
    const loadSeconds = (now() - loadStarted) / 1000;
    await pool.query('VACUUM ANALYZE events');

    // --- baseline: read the whole log, as the rebuild does ---
    const readStarted = now();
    let read = 0;
    for (let from = 0n; ; ) {
      const batch = await store.readAll(ALL_ORGANIZATIONS, { from, limit: 10_000 });
      if (batch.length === 0) break;
      read += batch.length;
      from = batch.at(-1)!.position;
    }
    const readSeconds = (now() - readStarted) / 1000;

    // --- the rebuild ---
    // What the rebuild asks of the machine: the replay threads are this
    // process's; the server's CPU is known when it is the embedded one.
    const cpuBefore = {
      node: process.cpuUsage(),
      server: await database.serverCpuMs?.(),
      machine: await cpuSnapshot(),
    };
    const rebuildStarted = now();
    const report = await rebuildReadModels(pool, store, { log });
    const rebuildSeconds = (now() - rebuildStarted) / 1000;
    const nodeCpu = process.cpuUsage(cpuBefore.node);
    const serverCpu = cpuBefore.server === undefined ? undefined : (await database.serverCpuMs!()) - cpuBefore.server;
    const machineBusy = cpuBusy(cpuBefore.machine, await cpuSnapshot());
    const memory = process.memoryUsage();

    const readRate = read / readSeconds;
    const rebuildRate = report.events / rebuildSeconds;
    log('');
    log(
      markdownTable(
        ['measure', 'events', 'seconds', 'events/s', 'vs readAll', 'target', 'met'],
        [
          [
            `load (${formatNumber(commands)} commands, one transaction each)`,
            formatNumber(loaded),
            loadSeconds.toFixed(1),
            formatNumber(loaded / loadSeconds),
            '',
            '',
            '',
          ],
          ['readAll (baseline)', formatNumber(read), readSeconds.toFixed(1), formatNumber(readRate), '1.00x', '', ''],
          [
            'rebuild (replay + write + swap)',
            formatNumber(report.events),
            rebuildSeconds.toFixed(1),
            formatNumber(rebuildRate),
            formatRatio(rebuildRate / readRate),
            '≥ 50,000/s and ≥ 0.25x',
            rebuildRate >= 50_000 && rebuildRate / readRate >= 0.25 ? 'yes' : 'NO',
          ],
        ],
      ),
    );
    log('');
    log(
      `rebuild phases: replay ${(report.replayMs / 1000).toFixed(1)} s (read + project in memory, ` +
        `COPY of the organizations done meanwhile: in flight ${(report.copyMs / 1000).toFixed(1)} s on the busiest thread), ` +
        `write ${(report.writeMs / 1000).toFixed(1)} s after it (last rows ${((report.writeMs - report.indexMs) / 1000).toFixed(1)} s, ` +
        `indexes and statistics ${(report.indexMs / 1000).toFixed(1)} s), catch-up ${(report.catchUpMs / 1000).toFixed(2)} s, swap ${(report.swapMs / 1000).toFixed(2)} s; ` +
        `heap after ${formatNumber(memory.heapUsed / 2 ** 20)} MiB, rss ${formatNumber(memory.rss / 2 ** 20)} MiB`,
    );
    log(
      `CPU during the rebuild: this process ${((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(1)} s (all threads)` +
        (serverCpu === undefined ? '' : `, PostgreSQL ${(serverCpu / 1000).toFixed(1)} s`) +
        `; the machine's ${machine.cores} cores were ${(machineBusy * 100).toFixed(0)}% busy over its ${rebuildSeconds.toFixed(1)} s`,
    );
    log(`rows: ${JSON.stringify(report.rows)}`);
  } finally {
    await pool.end();
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
