import {
  createVisitor,
  defineSessionProvider,
  type SessionContext,
  type SessionProviderSpec,
  type Visitor,
} from '@beckon/core';
import { type Agent, type AgentSession, createAgent } from '@beckon/core/agent';
import { webSocketTransport } from '@beckon/transport-ws';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import type { PresenceServer, SessionFrameTap } from '../src/index.js';
import { agentToken } from './utils.js';

const visitors: Visitor[] = [];
const agents: Agent[] = [];

afterEach(() => {
  for (const v of visitors.splice(0)) v.actor.stop();
  for (const a of agents.splice(0)) a.actor.stop();
});

/** Resolves once `check()` holds, polling; rejects with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A session provider the test drives: it keeps the running session's context and what it heard. */
export class ScriptedProvider implements SessionProviderSpec {
  readonly transport;
  context: SessionContext | undefined;
  readonly heard: { type: string; [key: string]: unknown }[] = [];
  starts = 0;
  stops = 0;

  constructor(sessionUrl: string) {
    this.transport = webSocketTransport({ url: sessionUrl, WebSocket });
  }

  start(context: SessionContext) {
    this.starts += 1;
    this.context = context;
    const offs = (['open', 'close', 'viewers', 'resync', 'message', 'error'] as const).map((type) =>
      context.on(type, (event) => this.heard.push({ type, ...event })),
    );
    return {
      stop: () => {
        this.stops += 1;
        for (const off of offs) off();
        if (this.context === context) this.context = undefined;
      },
    };
  }

  /** Events of one type heard so far. */
  of(type: string) {
    return this.heard.filter((e) => e.type === type);
  }
}

/** A real visitor (core over WebSockets) with a scripted session provider, connected and welcomed. */
export async function sessionVisitor(
  server: PresenceServer,
  visitorId: string,
  groupId = 'shop',
): Promise<{ visitor: Visitor; provider: ScriptedProvider }> {
  const provider = new ScriptedProvider(server.sessionUrl);
  const visitor = createVisitor({
    transport: webSocketTransport({ url: server.url, WebSocket }),
    session: defineSessionProvider(provider),
  });
  visitors.push(visitor);
  visitor.init({ groupId, visitorId });
  visitor.connect();
  await until(() => visitor.getSnapshot().connection === 'connected', `${visitorId} to connect`);
  return { visitor, provider };
}

/** A real agent (core over WebSockets) with the session endpoint, connected. */
export async function sessionAgent(
  server: PresenceServer,
  options: { groupId?: string; secret?: string; agentId?: string } = {},
): Promise<Agent> {
  const groupId = options.groupId ?? 'shop';
  const agent = createAgent({
    transport: webSocketTransport({ url: server.url, WebSocket }),
    sessionTransport: webSocketTransport({ url: server.sessionUrl, WebSocket }),
    groupId,
    token: await agentToken(groupId, {
      ...(options.secret && { secret: options.secret }),
      ...(options.agentId && { agentId: options.agentId }),
    }),
  });
  agents.push(agent);
  agent.connect();
  await until(() => agent.getSnapshot().status === 'connected', 'the agent to connect');
  return agent;
}

/** Everything one session handle reported, in order. */
export function record(session: AgentSession) {
  const seen: { type: string; [key: string]: unknown }[] = [];
  for (const type of ['message', 'resync', 'host', 'viewers', 'state', 'ended'] as const) {
    session.on(type, (event) => seen.push({ type, ...event }));
  }
  return seen;
}

/** A tap that keeps every chunk the service relays. */
export function frameTap() {
  const frames: SessionFrameTap[] = [];
  return { frames, onSessionFrame: (frame: SessionFrameTap) => frames.push(frame) };
}
