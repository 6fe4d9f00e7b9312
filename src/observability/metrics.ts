// Prometheus metrics. One registry per service instance (not prom-client's
// global one), so several instances can live in one process (tests).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'orgstream_process_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'orgstream_http_requests_total',
      help: 'HTTP requests by route and status code',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    // Its _count series is the operation count.
    graphqlOperations: new Histogram({
      name: 'orgstream_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency by operation name, type and outcome',
      labelNames: ['operation', 'type', 'outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsAppended: new Counter({
      name: 'orgstream_events_appended_total',
      help: 'Events appended to the event store',
      registers: [registry],
    }),
    eventStoreHead: new Gauge({
      name: 'orgstream_event_store_head_position',
      help: 'Highest global position a gap-free reader can see',
      registers: [registry],
    }),
    frictionSignalChanges: new Counter({
      name: 'orgstream_friction_signal_changes_total',
      help: 'Friction signals raised, updated and resolved, by kind and change',
      labelNames: ['kind', 'change'] as const,
      registers: [registry],
    }),
    // The answer cache (src/http/answerCache.ts): queries looked up, answers stored or not, what it holds.
    answerCacheLookups: new Counter({
      name: 'orgstream_answer_cache_lookups_total',
      help: 'Cacheable queries looked up in the answer cache, by result (hit or miss)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    answerCacheStores: new Counter({
      name: 'orgstream_answer_cache_stores_total',
      help: 'Answers stored in the answer cache',
      registers: [registry],
    }),
    answerCacheNotStored: new Counter({
      name: 'orgstream_answer_cache_not_stored_total',
      help: 'Answers to cacheable queries not stored, by reason (errors, superseded, unsettled, too_large)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    answerCacheEvictions: new Counter({
      name: 'orgstream_answer_cache_evictions_total',
      help: 'Answers dropped from the answer cache, by reason (version: the organization changed; size: the bound)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    answerCacheBytes: new Gauge({
      name: 'orgstream_answer_cache_bytes',
      help: 'Bytes of serialized answers (and their keys) held by the answer cache',
      registers: [registry],
    }),
    answerCacheEntries: new Gauge({
      name: 'orgstream_answer_cache_entries',
      help: 'Answers held by the answer cache',
      registers: [registry],
    }),
    eventsHeldBack: new Gauge({
      name: 'orgstream_events_held_back',
      help: 'Committed events subscribers cannot be given yet, because an older write transaction still runs (measured by /ready; capped)',
      registers: [registry],
    }),
    oldestWriteTransaction: new Gauge({
      name: 'orgstream_oldest_write_transaction_seconds',
      help: 'Age of the oldest transaction on the database server that has written (it holds back event delivery; measured by /ready)',
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'orgstream_projection_lag_events',
      help: 'Events in the log past the newest one reflected in the read models (measured by /ready; capped)',
      registers: [registry],
    }),
  };
}
