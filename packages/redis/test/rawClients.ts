import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import { expect } from 'vitest';
import { agentToken, type Frame, TestClient } from '../../server/test/utils.js';

export type { Frame };
export { TestClient };

/** A raw visitor connection to `url` that has said `hello` (its `welcome` not awaited). */
export async function openVisitor(url: string, visitorId: string, groupId = 'shop') {
  const client = await TestClient.open(url);
  client.send({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId,
    visitorId,
    visible: true,
  });
  return client;
}

/** A welcomed raw agent connection watching its whole group, with a request helper. */
export async function openAgent(url: string, secret: string, groupId = 'shop') {
  const client = await TestClient.open(url);
  client.send({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'agent',
    groupId,
    token: await agentToken(groupId, { secret }),
  });
  await client.take('welcome');
  let nextId = 1;
  const request = (frame: Frame): Promise<Frame> => {
    const id = nextId++;
    client.send({ ...frame, id });
    return client.takeWhere(
      (f) => ['ok', 'visitors', 'visitor', 'delivered', 'failed'].includes(f.type) && f.id === id,
      `reply to request ${id}`,
      10_000,
    );
  };
  expect((await request({ type: 'watch' })).type).toBe('ok');
  return Object.assign(client, { request });
}

/**
 * Whether a visitor connection believes it holds focus: what the frame with the highest
 * epoch (its `welcome`, a `focus` or a `blur`) said, as a client keeping the highest epoch
 * it has seen would conclude.
 */
export function believesFocused(client: TestClient): { focused: boolean; epoch: number } {
  let focused = false;
  let epoch = -1;
  for (const f of client.frames) {
    const says =
      f.type === 'welcome'
        ? f.focused === true
        : f.type === 'focus'
          ? true
          : f.type === 'blur'
            ? false
            : undefined;
    if (says === undefined || typeof f.epoch !== 'number' || f.epoch < epoch) continue;
    epoch = f.epoch;
    focused = says;
  }
  return { focused, epoch };
}
