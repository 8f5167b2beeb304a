import { createPresenceServer, mintAgentToken, type PresenceServer } from '@beckon/server';
import { DEMO_AGENT_SECRET, DEMO_GROUP_ID, demoGroups } from '@beckon/server/demo';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type RunningBlock, runBlock } from './utils/runBlock.js';
import { sectionBlock } from './utils/sectionBlock.js';

// The README's two quick starts, run as written (each in its own Node process, against the
// built packages) with only what they read from the environment set: the service's URL and
// a demo agent token.
describe('README quick starts, run against a real service', () => {
  let server: PresenceServer;
  const running: RunningBlock[] = [];

  beforeAll(async () => {
    server = await createPresenceServer({ groups: demoGroups(), logLevel: 'silent' });
  });
  afterAll(async () => {
    await Promise.all(running.map((block) => block.stop()));
    await server?.close();
  });

  it('the visitor connects, the agent sees it and asks for consent, the visitor shows it', async () => {
    onTestFailed(() => {
      for (const block of running) console.error(`--- ${block.name} printed:\n${block.output()}`);
    });
    const env = {
      BECKON_URL: server.url,
      BECKON_AGENT_TOKEN: await mintAgentToken({
        groupId: DEMO_GROUP_ID,
        agentId: 'readme-agent',
        secret: DEMO_AGENT_SECRET,
        expiresIn: '5m',
      }),
    };
    const agent = runBlock(sectionBlock('README.md', '## An agent in a few lines'), env);
    running.push(agent);
    await agent.waitFor(/watching the demo group/);

    const visitor = runBlock(sectionBlock('README.md', '## A visitor in a few lines'), env);
    running.push(visitor);
    await agent.waitFor(/alice is on \/pricing/);
    await visitor.waitFor(/an agent asks to see the screen, session alice/);
    // The reply to showTerms and the visitor's terms signal may arrive in either order.
    await agent.waitFor(/consent requested on \S+/);
    await agent.waitFor(/alice terms displayed/);

    expect(agent.output()).not.toMatch(/not connected|failed|Error/);
    expect(visitor.output()).not.toMatch(/not connected|Error|exited/);
  }, 30_000);
});
