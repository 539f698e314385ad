import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { adapterFor, type AgentId } from '@baton/agents';
import { createTestNamespace, installAgentCli, startFakeModelServer, startService, type FakeModelServer, type ProtocolHandler, type Script, type TestNamespace } from '@baton/testing';
import { cleanEnv } from '../cli/baton-cli';
import { batonBinDir } from './agent-process';

/**
 * Not under /tmp (Codex will not put its sandbox helper there) and, as root, not under root's
 * home: the agents run as their own user (apps/runner/src/host/agent-user.ts), which must pass through.
 */
const RUNNER_DATA_ROOT = process.getuid?.() === 0 ? '/var/tmp/baton-e2e' : join(homedir(), '.cache', 'baton-e2e');
const AGENT_SECRET = 'e2e-agent-token-secret-0123456789abcdef';

export interface AgentStack {
  ns: TestNamespace;
  fake: FakeModelServer;
  /** The CLI's environment: the gateway and an admin token. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real stack (tasks, gateway, sessions, one runner) whose runner has the agent's real CLI,
 * installed from npm at the adapter's verified version, on its PATH, with the scripted fake
 * model on loopback for it to talk to.
 */
export async function startAgentStack(agent: AgentId, protocol: ProtocolHandler, script: Script, runner: { capacity?: number } = {}): Promise<AgentStack> {
  const ns = await createTestNamespace();
  mkdirSync(RUNNER_DATA_ROOT, { recursive: true });
  const dataDir = mkdtempSync(join(RUNNER_DATA_ROOT, 'baton-runner-data-'));
  const adapter = adapterFor(agent)!;
  const agentBin = await installAgentCli(adapter.npmPackage, adapter.verifiedVersion);
  const fake = await startFakeModelServer([protocol], script);
  await startService('tasks', ns.env);
  const gateway = await startService('gateway', ns.env);
  await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: gateway.url });
  await startService('runner', {
    ...ns.env,
    PATH: `${batonBinDir()}:${agentBin}:${process.env.PATH ?? ''}`,
    BATON_RUNNER_ID: `e2e-${agent}-${process.pid}`,
    // Not under /tmp: Codex refuses to create its sandbox helper (codex-linux-sandbox) under a temporary dir.
    BATON_DATA_DIR: dataDir,
    BATON_RUNNER_CAPACITY: String(runner.capacity ?? 2),
    BATON_RUNNER_HEARTBEAT_MS: '1000',
  });
  const env = cleanEnv({ BATON_API_URL: gateway.url, BATON_TOKEN: ns.token });
  return {
    ns,
    fake,
    env,
    close: async () => {
      await fake.close();
      await ns.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
