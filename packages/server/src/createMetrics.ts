/**
 * A deliberately tiny Prometheus registry: a handful of counters and gauges rendered in the
 * text exposition format. Enough for `/metrics` without a client library dependency.
 */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

/** The metric names the service exports; `docs/server.md` lists their labels. */
export const METRIC_NAMES = {
  connections: 'beckon_connections',
  connectionsTotal: 'beckon_connections_total',
  messagesIn: 'beckon_messages_in_total',
  messagesOut: 'beckon_messages_out_total',
  signalsDelivered: 'beckon_signals_delivered_total',
  signalsFailed: 'beckon_signals_failed_total',
  focusChanges: 'beckon_focus_changes_total',
  rejections: 'beckon_rejections_total',
  internalErrors: 'beckon_internal_errors_total',
  // Sessions (docs/session.md).
  sessionsStarted: 'beckon_sessions_started_total',
  sessionsEnded: 'beckon_sessions_ended_total',
  sessionsActive: 'beckon_sessions_active',
  sessionViewers: 'beckon_session_viewers',
  sessionBytesIn: 'beckon_session_bytes_in_total',
  sessionBytesOut: 'beckon_session_bytes_out_total',
  sessionResyncs: 'beckon_session_resyncs_total',
  sessionDropped: 'beckon_session_dropped_total',
  pushNotifications: 'beckon_push_notifications_total',
  pushWakes: 'beckon_push_wakes_total',
  storeAvailable: 'beckon_store_available',
  storeErrors: 'beckon_store_errors_total',
  // The HTTP agent API and webhooks (docs/http-api.md).
  httpRequests: 'beckon_http_requests_total',
  webhooksDelivered: 'beckon_webhooks_delivered_total',
  webhooksFailed: 'beckon_webhooks_failed_total',
  webhookRetries: 'beckon_webhook_retries_total',
  webhooksDropped: 'beckon_webhooks_dropped_total',
  webhookQueue: 'beckon_webhook_queue',
} as const;

const HELP: Record<string, [string, 'counter' | 'gauge']> = {
  [METRIC_NAMES.connections]: ['Open connections by role (handshake = no hello yet).', 'gauge'],
  [METRIC_NAMES.connectionsTotal]: ['Connections welcomed, by role.', 'counter'],
  [METRIC_NAMES.messagesIn]: ['Frames received, by role.', 'counter'],
  [METRIC_NAMES.messagesOut]: ['Frames sent, by role.', 'counter'],
  [METRIC_NAMES.signalsDelivered]: [
    'Agent requests (showTerms, signal) acknowledged by the visitor.',
    'counter',
  ],
  [METRIC_NAMES.signalsFailed]: ['Agent requests that failed, by code.', 'counter'],
  [METRIC_NAMES.focusChanges]: ['Focus moves between connections of a visitor.', 'counter'],
  [METRIC_NAMES.rejections]: ['Refused frames, handshakes and connections, by reason.', 'counter'],
  [METRIC_NAMES.internalErrors]: ['Handler failures (bugs or a failing registry).', 'counter'],
  [METRIC_NAMES.sessionsStarted]: [
    'Sessions announced by visitors (not counting re-announcements).',
    'counter',
  ],
  [METRIC_NAMES.sessionsEnded]: ['Sessions ended, by the visitor or because it left.', 'counter'],
  [METRIC_NAMES.sessionsActive]: [
    'Sessions whose visitor streams through this process now.',
    'gauge',
  ],
  [METRIC_NAMES.sessionViewers]: ['Agents watching a session through this process now.', 'gauge'],
  [METRIC_NAMES.sessionBytesIn]: ['Session bytes received from visitors.', 'counter'],
  [METRIC_NAMES.sessionBytesOut]: ['Session bytes sent to viewing agents.', 'counter'],
  [METRIC_NAMES.sessionResyncs]: [
    'Fresh snapshots asked of visitors, by reason (joined, behind, asked).',
    'counter',
  ],
  [METRIC_NAMES.sessionDropped]: [
    'Session messages not sent to a viewer that was behind, by kind.',
    'counter',
  ],
  [METRIC_NAMES.pushNotifications]: [
    'Web Push messages posted to push services, by result (sent, gone, failed).',
    'counter',
  ],
  [METRIC_NAMES.pushWakes]: [
    'Requests that woke a visitor with a push, by outcome (answered, unanswered).',
    'counter',
  ],
  [METRIC_NAMES.storeAvailable]: [
    'Whether the shared state (Redis) is reachable: 1 or 0 (always 1 in memory).',
    'gauge',
  ],
  [METRIC_NAMES.httpRequests]: ['HTTP agent API requests, by route and status.', 'counter'],
  [METRIC_NAMES.webhooksDelivered]: ['Webhooks a receiver accepted (2xx), by group.', 'counter'],
  [METRIC_NAMES.webhooksFailed]: [
    'Webhooks given up on, by group and reason (refused: a 4xx; exhausted: every attempt failed).',
    'counter',
  ],
  [METRIC_NAMES.webhookRetries]: ['Webhook attempts that will be retried, by group.', 'counter'],
  [METRIC_NAMES.webhooksDropped]: [
    "Webhooks dropped because their endpoint's queue was full, by group.",
    'counter',
  ],
  [METRIC_NAMES.webhookQueue]: ['Webhooks waiting or in flight, by group.', 'gauge'],
  [METRIC_NAMES.storeErrors]: [
    'Operations that failed while the shared state was unreachable.',
    'counter',
  ],
};

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

const escapeLabel = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** One series of a counter, looked up once: for counts taken on every frame. */
export interface Counter {
  inc(by?: number): void;
}

/** Counters and gauges of one service instance. */
export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  /**
   * The series of `name` with these labels, to count on a hot path without building and
   * sorting a label key each time. The series appears once first counted.
   */
  counter(name: string, labels?: Labels): Counter;
  set(name: string, labels: Labels, value: number): void;
  /** Current value (0 when never touched); for tests and health checks. */
  get(name: string, labels?: Labels): number;
  /** Every series of one metric, with its labels. */
  series(name: string): { labels: Labels; value: number }[];
  /** The Prometheus text exposition (format 0.0.4). */
  render(): string;
}

/**
 * Creates an empty metrics registry.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.inc('beckon_rejections_total', { reason: 'malformed' });
 * metrics.render(); // '# HELP beckon_rejections_total …'
 */
export function createMetrics(): Metrics {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      const [help, type] = HELP[name] ?? [name, 'counter'];
      f = { help, type, values: new Map() };
      families.set(name, f);
    }
    return f;
  };
  return {
    inc(name, labels = {}, by = 1) {
      const values = family(name).values;
      const k = key(labels);
      const entry = values.get(k);
      if (entry) entry.value += by;
      else values.set(k, { labels: { ...labels }, value: by });
    },
    counter(name, labels = {}) {
      const values = family(name).values;
      const k = key(labels);
      const copy = { ...labels };
      let entry: { labels: Labels; value: number } | undefined;
      return {
        inc(by = 1) {
          if (entry === undefined) {
            entry = values.get(k);
            if (entry === undefined) {
              entry = { labels: copy, value: 0 };
              values.set(k, entry);
            }
          }
          entry.value += by;
        },
      };
    },
    set(name, labels, value) {
      const values = family(name).values;
      const k = key(labels);
      // In place: a counter handle may hold the entry.
      const entry = values.get(k);
      if (entry) entry.value = value;
      else values.set(k, { labels: { ...labels }, value });
    },
    get(name, labels = {}) {
      return families.get(name)?.values.get(key(labels))?.value ?? 0;
    },
    series(name) {
      return [...(families.get(name)?.values.values() ?? [])].map(({ labels, value }) => ({
        labels: { ...labels },
        value,
      }));
    },
    render() {
      const lines: string[] = [];
      for (const name of [...new Set([...Object.keys(HELP), ...families.keys()])]) {
        const f = family(name);
        lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
        for (const { labels, value } of f.values.values()) {
          const l = Object.entries(labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',');
          lines.push(`${name}${l ? `{${l}}` : ''} ${value}`);
        }
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
