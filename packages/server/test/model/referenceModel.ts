import { type Acks, TIMINGS } from './commands.js';

/** A tab (connection) as the model knows it. */
export interface ModelTab {
  /** Creation order, unique in a run. */
  readonly seq: number;
  readonly visitor: number;
  readonly acks: Acks;
  visible: boolean;
  /** Order of its last activity (hello, presence, visibility, signal) among all tabs. */
  lastActive: number;
}

/** What a request must end with. */
export type Outcome =
  | { kind: 'delivered'; tab: ModelTab; epoch: number }
  | { kind: 'failed'; code: string };

export interface ModelRequest {
  readonly agent: number;
  readonly visitor: number;
  outcome: Outcome | undefined;
  /** The tab it waits on for an acknowledgement (a mute tab). */
  target: ModelTab | undefined;
  /** When the service gives up waiting for that acknowledgement. */
  ackDue: number | undefined;
  /** Waiting for its visitor to come back within the grace window, until then. */
  heldUntil: number | undefined;
  attempts: number;
}

/** One visitor ID as the service should hold it. */
export interface ModelVisitor {
  tabs: ModelTab[];
  focused: ModelTab | undefined;
  epoch: number;
  visibility: 'visible' | 'hidden' | 'away';
  hiddenSince: number | undefined;
  presence: Record<string, string>;
  sessionKey: string | undefined;
  graceDue: number | undefined;
  awayDue: number | undefined;
}

/** How an agent watching the group should see a visitor (every field but `lastActiveAt`). */
export interface ExpectedSummary {
  visitorId: string;
  present: boolean;
  visibility: 'visible' | 'hidden' | 'away';
  presence: Record<string, string>;
  connections: number;
  focusedConnectionId: ModelTab | undefined;
  epoch: number;
  sessionKey: string | undefined;
}

const MAX_ATTEMPTS = 3;

/**
 * A small, obviously sequential model of what the presence service promises: focus to the
 * most recently active tab with a per-group epoch, visibility and away, the reconnect grace
 * window, and the one answer every agent request gets. The runner applies the same steps
 * to the real service and compares after each.
 *
 * @example
 * const model = new ReferenceModel();
 * const tab = model.connect(0, true, 'ack');
 * const request = model.request(0, 0); // delivered to `tab`
 */
export class ReferenceModel {
  time = 0;
  readonly visitors = new Map<number, ModelVisitor>();
  readonly requests: ModelRequest[] = [];
  private tabSeq = 0;
  private activity = 0;
  private groupEpoch = 0;

  connect(visitor: number, visible: boolean, acks: Acks): ModelTab {
    let v = this.visitors.get(visitor);
    const isNew = v === undefined;
    if (!v) {
      v = {
        tabs: [],
        focused: undefined,
        epoch: 0,
        visibility: 'visible',
        hiddenSince: undefined,
        presence: {},
        sessionKey: undefined,
        graceDue: undefined,
        awayDue: undefined,
      };
      this.visitors.set(visitor, v);
    }
    const tab: ModelTab = {
      seq: ++this.tabSeq,
      visitor,
      acks,
      visible,
      lastActive: ++this.activity,
    };
    const before = v.visibility;
    v.tabs.push(tab);
    v.graceDue = undefined;
    this.moveFocus(v, tab);
    this.recompute(v);
    if (isNew ? !visible : v.visibility !== before) this.visibilityChanged(v);
    // Requests held for this visitor go to the tab that took focus.
    for (const r of this.requests) {
      if (r.outcome || r.visitor !== visitor || r.heldUntil === undefined) continue;
      r.heldUntil = undefined;
      this.deliverTo(r, tab, v.epoch);
    }
    return tab;
  }

  /** `presence`, `visibility` and `signal` are activity: they take focus. */
  touch(tab: ModelTab) {
    const v = this.visitorOf(tab);
    tab.lastActive = ++this.activity;
    if (v.focused !== tab) this.moveFocus(v, tab);
  }

  presence(tab: ModelTab, data: Record<string, string>) {
    this.touch(tab);
    this.visitorOf(tab).presence = { ...data };
  }

  visibility(tab: ModelTab, visible: boolean) {
    this.touch(tab);
    const v = this.visitorOf(tab);
    tab.visible = visible;
    if (this.recompute(v)) this.visibilityChanged(v);
  }

  session(tab: ModelTab, start: boolean) {
    this.visitorOf(tab).sessionKey = start ? `k${tab.seq}` : undefined;
  }

  close(tab: ModelTab) {
    const v = this.visitorOf(tab);
    v.tabs = v.tabs.filter((t) => t !== tab);
    if (v.focused === tab) {
      v.focused = undefined;
      const next = [...v.tabs].sort((a, b) => b.lastActive - a.lastActive)[0];
      if (next) this.moveFocus(v, next);
    }
    if (v.tabs.length === 0) v.graceDue = this.time + TIMINGS.graceMs;
    if (this.recompute(v)) this.visibilityChanged(v);
    // What it never acknowledged goes to whoever has focus now (the try it had counts).
    for (const r of this.requests) {
      if (r.outcome || r.target !== tab) continue;
      r.target = undefined;
      r.ackDue = undefined;
      this.dispatch(r);
    }
  }

  request(agent: number, visitor: number): ModelRequest {
    const r: ModelRequest = {
      agent,
      visitor,
      outcome: undefined,
      target: undefined,
      ackDue: undefined,
      heldUntil: undefined,
      attempts: 0,
    };
    this.requests.push(r);
    this.dispatch(r);
    return r;
  }

  /** The agent's link died: what it waited for ends on its side, untold by the service. */
  agentDropped(agent: number) {
    for (const r of this.requests) {
      if (r.outcome || r.agent !== agent) continue;
      r.outcome = { kind: 'failed', code: 'notConnected' };
    }
  }

  /** Time passes: the service's timers fall due one by one, in order. */
  tick(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.at;
      next.fire();
    }
    this.time = end;
  }

  /**
   * A new service: nobody connected, nothing remembered, every request ended. Epochs go on
   * growing (the service's never fall below its clock, so a restart does not reuse them).
   */
  restart() {
    for (const r of this.requests) {
      if (!r.outcome) r.outcome = { kind: 'failed', code: 'notConnected' };
    }
    this.visitors.clear();
  }

  /** What an agent watching the group should show. */
  expectedView(): Map<string, ExpectedSummary> {
    const view = new Map<string, ExpectedSummary>();
    for (const [n, v] of this.visitors) {
      view.set(`v${n}`, {
        visitorId: `v${n}`,
        present: v.visibility !== 'away',
        visibility: v.visibility,
        presence: v.presence,
        connections: v.tabs.length,
        focusedConnectionId: v.focused,
        epoch: v.epoch,
        sessionKey: v.sessionKey,
      });
    }
    return view;
  }

  private visitorOf(tab: ModelTab): ModelVisitor {
    const v = this.visitors.get(tab.visitor);
    if (!v) throw new Error(`model: tab ${tab.seq} has no visitor`);
    return v;
  }

  private moveFocus(v: ModelVisitor, tab: ModelTab) {
    v.epoch = ++this.groupEpoch;
    v.focused = tab;
  }

  // The service's rule: visible while any tab is; hidden from when the last visible one
  // turned hidden; a visitor without tabs keeps what it had. Returns whether it changed.
  private recompute(v: ModelVisitor): boolean {
    if (v.tabs.length === 0) return false;
    const before = v.visibility;
    if (v.tabs.some((t) => t.visible)) {
      v.visibility = 'visible';
      v.hiddenSince = undefined;
    } else if (before === 'visible') {
      v.visibility = 'hidden';
      v.hiddenSince = this.time;
    }
    return v.visibility !== before;
  }

  private visibilityChanged(v: ModelVisitor) {
    v.awayDue =
      v.visibility === 'hidden' && v.hiddenSince !== undefined
        ? v.hiddenSince + TIMINGS.awayAfterMs
        : undefined;
  }

  private fail(r: ModelRequest, code: string) {
    r.outcome = { kind: 'failed', code };
    r.target = undefined;
    r.ackDue = undefined;
    r.heldUntil = undefined;
  }

  private dispatch(r: ModelRequest) {
    const v = this.visitors.get(r.visitor);
    if (!v || v.visibility === 'away') return this.fail(r, 'visitorNotPresent');
    if (!v.focused) {
      // Reconnecting: held for what is left of the grace window.
      r.heldUntil = v.graceDue;
      if (r.heldUntil === undefined || r.heldUntil <= this.time) this.fail(r, 'visitorNotPresent');
      return;
    }
    this.deliverTo(r, v.focused, v.epoch);
  }

  private deliverTo(r: ModelRequest, tab: ModelTab, epoch: number) {
    if (r.attempts >= MAX_ATTEMPTS) return this.fail(r, 'visitorNotPresent');
    r.attempts += 1;
    if (tab.acks === 'ack') r.outcome = { kind: 'delivered', tab, epoch };
    else if (tab.acks === 'busy') this.fail(r, 'busy');
    else {
      r.target = tab;
      r.ackDue = this.time + TIMINGS.ackTimeoutMs;
    }
  }

  // The earliest timer due by `end`, if any.
  private nextDue(end: number): { at: number; fire: () => void } | undefined {
    let best: { at: number; fire: () => void } | undefined;
    const consider = (at: number | undefined, fire: () => void) => {
      if (at === undefined || at > end) return;
      if (!best || at < best.at) best = { at, fire };
    };
    for (const [n, v] of this.visitors) {
      consider(v.graceDue, () => {
        v.graceDue = undefined;
        if (v.tabs.length > 0) return;
        this.visitors.delete(n);
        for (const r of this.requests) {
          if (!r.outcome && r.visitor === n && r.heldUntil !== undefined) {
            this.fail(r, 'visitorNotPresent');
          }
        }
      });
      consider(v.awayDue, () => {
        v.awayDue = undefined;
        if (v.visibility === 'hidden') v.visibility = 'away';
      });
    }
    for (const r of this.requests) {
      if (r.outcome) continue;
      consider(r.ackDue, () => this.fail(r, 'timeout'));
      consider(r.heldUntil, () => this.fail(r, 'visitorNotPresent'));
    }
    return best;
  }
}
