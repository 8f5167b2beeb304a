import { type Agent, AgentRequestError } from '@beckon/core/agent';
import { listAll } from '../../src/testing/listAll.js';
import { AGENTS, type Command, TIMINGS } from './commands.js';
import { createManualClock } from './manualClock.js';
import { type ModelRequest, type ModelTab, ReferenceModel } from './referenceModel.js';
import { GROUP, type RawTab, type Target } from './targets.js';

type Settled =
  | { ok: true; value: { connectionId: string; epoch: number } }
  | { ok: false; error: unknown };

interface TrackedRequest {
  model: ModelRequest;
  settled: Settled | undefined;
  what: string;
}

/** How long the service may take to agree with the model after a step. */
const EVENTUALLY_MS = 5_000;
const CLIENT_TIMEOUT = 'no reply from the presence service';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const settle = async () => {
  await turn();
  await turn();
};

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A step's view of the service disagreed with the model (or broke a promise for good). */
export class ModelMismatch extends Error {
  override readonly name = 'ModelMismatch';
}

/**
 * Runs `commands` against the real service (through `target`) and the reference model side
 * by side, and after every step waits for the service to agree with the model:
 *
 * - the registry holds exactly the model's visitors, tabs, focus, epochs, visibility,
 *   presence and session keys;
 * - each visitor has at most one tab that believes it holds focus, and it is the model's,
 *   the most recently active one;
 * - every agent watching the group shows exactly the model's visitors (lastActiveAt aside);
 * - every request has the answer the model says, once the model says it has one, and none
 *   is answered while the model still waits; no request ever meets silence (an agent-side
 *   timeout).
 *
 * At the end, time runs out every grace window, away clock and acknowledgement timeout,
 * after which every request must have ended.
 *
 * @example
 * await runModel(inProcessTarget(), [{ type: 'connect', visitor: 0, visible: true, acks: 'ack' }]);
 */
export async function runModel(target: Target, commands: readonly Command[]): Promise<void> {
  const time = createManualClock();
  const model = new ReferenceModel();
  const tabs = new Map<number, RawTab>();
  const requests: TrackedRequest[] = [];
  const agents: { agent: Agent; drop(): void }[] = [];
  // After a restart or a drop, the connection an agent must have left behind.
  const stale: (string | undefined)[] = [];
  const done: Command[] = [];
  // The service's epochs are its own numbers (never below its clock in microseconds); the
  // model counts 1, 2, 3, … Each model epoch is matched with the service's as they appear,
  // and the match must keep their order: epochs grow, and are never reused.
  const epochs = new Map<number, number>();
  const epochOf = (modelEpoch: number): number | undefined => epochs.get(modelEpoch);
  const learnEpoch = (modelEpoch: number, serviceEpoch: number): string | undefined => {
    const known = epochs.get(modelEpoch);
    if (known !== undefined) {
      return known === serviceEpoch ? undefined : `epoch ${serviceEpoch}, not ${known}`;
    }
    for (const [m, e] of epochs) {
      if (e === serviceEpoch || m < modelEpoch !== e < serviceEpoch) {
        return `epoch ${serviceEpoch} out of order for the model's ${modelEpoch}`;
      }
    }
    epochs.set(modelEpoch, serviceEpoch);
    return undefined;
  };
  await target.start(time);
  try {
    for (let i = 0; i < AGENTS; i++) agents.push(await target.agent());
    const tabOf = (t: ModelTab) => {
      const tab = tabs.get(t.seq);
      if (!tab) throw new Error(`no tab ${t.seq}`);
      return tab;
    };
    const pick = (visitor: number, n: number): ModelTab | undefined => {
      const open = model.visitors.get(visitor)?.tabs ?? [];
      return open.length === 0 ? undefined : open[n % open.length];
    };

    const step = async (cmd: Command) => {
      switch (cmd.type) {
        case 'connect': {
          const raw = await target.openTab(`v${cmd.visitor}`, cmd.visible, cmd.acks);
          tabs.set(model.connect(cmd.visitor, cmd.visible, cmd.acks).seq, raw);
          return;
        }
        case 'presence': {
          const t = pick(cmd.visitor, cmd.tab);
          if (!t) return;
          const data = { url: `/p${cmd.page}`, c_page: String(cmd.page) };
          tabOf(t).send({ type: 'presence', data });
          model.presence(t, data);
          return;
        }
        case 'visibility': {
          const t = pick(cmd.visitor, cmd.tab);
          if (!t) return;
          tabOf(t).send({ type: 'visibility', visible: cmd.visible });
          model.visibility(t, cmd.visible);
          return;
        }
        case 'signal': {
          const t = pick(cmd.visitor, cmd.tab);
          if (!t) return;
          tabOf(t).send({ type: 'signal', name: 'c_model', properties: {} });
          model.touch(t);
          return;
        }
        case 'session': {
          const t = pick(cmd.visitor, cmd.tab);
          if (!t) return;
          tabOf(t).send(
            cmd.start
              ? { type: 'sessionStart', sessionKey: `k${t.seq}`, presenceStart: false }
              : { type: 'sessionEnd' },
          );
          model.session(t, cmd.start);
          return;
        }
        case 'close':
        case 'drop': {
          const t = pick(cmd.visitor, cmd.tab);
          if (!t) return;
          if (cmd.type === 'close') tabOf(t).close();
          else tabOf(t).drop();
          model.close(t);
          return;
        }
        case 'request': {
          const visitorId = `v${cmd.visitor}`;
          const { agent } = agents[cmd.agent] as { agent: Agent };
          const tracked: TrackedRequest = {
            model: model.request(cmd.agent, cmd.visitor),
            settled: undefined,
            what: `${cmd.kind} to ${visitorId} by agent ${cmd.agent} (step ${done.length})`,
          };
          requests.push(tracked);
          const sent =
            cmd.kind === 'showTerms'
              ? agent.showTerms(visitorId)
              : agent.signalVisitor(visitorId, 'c_model');
          sent.then(
            (value) => {
              tracked.settled = { ok: true, value };
            },
            (error: unknown) => {
              tracked.settled = { ok: false, error };
            },
          );
          // A round trip on the same connection: its answer comes after the service took
          // the request in (held it, or started its acknowledgement clock), so the next
          // step's time cannot pass before it did.
          await agent.lookupVisitor(visitorId);
          return;
        }
        case 'agentDrop': {
          const { agent, drop } = agents[cmd.agent] as { agent: Agent; drop(): void };
          stale[cmd.agent] = agent.getSnapshot().connectionId;
          drop();
          model.agentDropped(cmd.agent);
          return;
        }
        case 'tick':
          model.tick(cmd.ms);
          await time.advance(cmd.ms, settle);
          return;
        case 'restart':
          agents.forEach(({ agent }, i) => {
            stale[i] = agent.getSnapshot().connectionId;
          });
          model.restart();
          await target.restart(cmd.mode);
          return;
      }
    };

    // What disagrees now; throws for what no amount of waiting can fix.
    const problems = async (): Promise<string[]> => {
      const out: string[] = [];
      const records = await listAll(target.registry(), GROUP);
      const expected = model.expectedView();
      const known = new Set(records.map((r) => r.visitorId));
      for (const id of expected.keys()) if (!known.has(id)) out.push(`registry lacks ${id}`);
      for (const record of records) {
        const e = expected.get(record.visitorId);
        if (!e) {
          out.push(`registry still has ${record.visitorId}`);
          continue;
        }
        const v = model.visitors.get(Number(record.visitorId.slice(1)));
        const wantIds = (v?.tabs ?? []).map((t) => tabOf(t).connectionId).sort();
        const got = {
          connections: record.connections.map((c) => c.connectionId).sort(),
          focused: record.focusedConnectionId,
          epoch: record.epoch,
          visibility: record.visibility,
          presence: record.presence,
          sessionKey: record.sessionKey,
        };
        const wrongEpoch = learnEpoch(e.epoch, record.epoch);
        if (wrongEpoch) out.push(`registry ${record.visitorId}: ${wrongEpoch}`);
        const want = {
          connections: wantIds,
          focused: e.focusedConnectionId && tabOf(e.focusedConnectionId).connectionId,
          epoch: epochOf(e.epoch),
          visibility: e.visibility,
          presence: e.presence,
          sessionKey: e.sessionKey,
        };
        if (!sameJson(got, want)) {
          out.push(
            `registry ${record.visitorId}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`,
          );
        }
      }

      // Requests, once the registry above has told which epochs are whose.
      for (const r of requests) {
        const s = r.settled;
        if (s && !s.ok && s.error instanceof Error && s.error.message.startsWith(CLIENT_TIMEOUT)) {
          throw new ModelMismatch(`${r.what} met silence: ${s.error.message}`);
        }
        if (s && !r.model.outcome) {
          throw new ModelMismatch(`${r.what} ended (${describe(s)}) while the model still waits`);
        }
        const want = r.model.outcome;
        if (!want) continue;
        if (want.kind === 'delivered' && epochOf(want.epoch) === undefined) {
          out.push(`${r.what}: the service's epoch for the model's ${want.epoch} is not known yet`);
          continue;
        }
        if (!s) {
          out.push(`${r.what}: not answered yet, expected ${JSON.stringify(wanted(want))}`);
          continue;
        }
        const ok =
          want.kind === 'delivered'
            ? s.ok &&
              s.value.connectionId === tabOf(want.tab).connectionId &&
              s.value.epoch === epochOf(want.epoch)
            : !s.ok && s.error instanceof AgentRequestError && s.error.code === want.code;
        if (!ok) {
          throw new ModelMismatch(
            `${r.what}: got ${describe(s)}, expected ${JSON.stringify(wanted(want))}`,
          );
        }
      }

      // At most one tab of a visitor believes it has focus: the most recently active one.
      for (const [n, v] of model.visitors) {
        const believers = v.tabs.filter((t) => tabOf(t).focused);
        const want = v.focused ? [v.focused] : [];
        if (
          !sameJson(
            believers.map((t) => t.seq),
            want.map((t) => t.seq),
          )
        ) {
          out.push(
            `v${n}: tabs ${believers.map((t) => t.seq)} believe they are focused, not ${want.map((t) => t.seq)}`,
          );
        } else if (v.focused && tabOf(v.focused).epoch !== epochOf(v.epoch)) {
          out.push(
            `v${n}: the focused tab knows epoch ${tabOf(v.focused).epoch}, not the service's`,
          );
        }
      }

      agents.forEach(({ agent }, i) => {
        const state = agent.getSnapshot();
        if (
          state.status !== 'connected' ||
          state.syncing ||
          !state.watchingGroup ||
          state.connectionId === stale[i]
        ) {
          out.push(`agent ${i} is ${state.status}${state.syncing ? ', listing' : ''}`);
          return;
        }
        const view = [...state.visitors.values()]
          .map((s) => ({
            visitorId: s.visitorId,
            present: s.present,
            visibility: s.visibility,
            presence: s.presence,
            connections: s.connections,
            focusedConnectionId: s.focusedConnectionId,
            epoch: s.epoch,
            sessionKey: s.sessionKey,
          }))
          .sort((a, b) => (a.visitorId < b.visitorId ? -1 : 1));
        const want = [...expected.values()]
          .map((e) => ({
            ...e,
            focusedConnectionId: e.focusedConnectionId && tabOf(e.focusedConnectionId).connectionId,
            epoch: epochOf(e.epoch),
          }))
          .sort((a, b) => (a.visitorId < b.visitorId ? -1 : 1));
        if (!sameJson(view, want)) {
          out.push(`agent ${i} shows ${JSON.stringify(view)}, expected ${JSON.stringify(want)}`);
        }
      });
      return out;
    };

    const agree = async (when: string) => {
      const deadline = Date.now() + EVENTUALLY_MS;
      let last: string[] = [];
      for (;;) {
        last = await problems();
        if (last.length === 0) return;
        if (Date.now() > deadline) {
          throw new ModelMismatch(
            `${when}: the service disagrees with the model:\n${last.join('\n')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    for (const cmd of commands) {
      done.push(cmd);
      await step(cmd);
      await agree(`after step ${done.length - 1} ${JSON.stringify(cmd)}`);
    }
    // Every clock runs out: each request must have its answer.
    const rest = TIMINGS.graceMs + TIMINGS.ackTimeoutMs * 4 + TIMINGS.awayAfterMs;
    done.push({ type: 'tick', ms: rest });
    await step({ type: 'tick', ms: rest });
    await agree('at the end');
    const open = requests.filter((r) => !r.model.outcome || !r.settled);
    if (open.length > 0) {
      throw new ModelMismatch(`requests never answered: ${open.map((r) => r.what).join(', ')}`);
    }
  } catch (error) {
    if (error instanceof Error) {
      error.message += `\n[${target.name}] commands run: ${JSON.stringify(done)}`;
    }
    throw error;
  } finally {
    for (const { agent } of agents) {
      agent.disconnect();
      agent.actor.stop();
    }
    await target.stop();
  }
}

function describe(s: Settled): string {
  if (s.ok) return `delivered ${JSON.stringify(s.value)}`;
  const e = s.error as { code?: unknown; message?: unknown };
  return `failed ${String(e.code)} (${String(e.message)})`;
}

function wanted(o: NonNullable<ModelRequest['outcome']>) {
  return o.kind === 'delivered' ? { delivered: `tab ${o.tab.seq}`, epoch: o.epoch } : o;
}
