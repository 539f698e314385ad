import { inheritedEnv, sessionEnv } from './launch-env';

describe(inheritedEnv.name, () => {
  it('lets through only allowed names, never the runner’s own BATON_* settings', () => {
    const source = { PATH: '/bin', HOME: '/h', LC_ALL: 'C', ANTHROPIC_API_KEY: 'k', DATABASE_URL: 'postgres://secret', BATON_RUNNER_SECRET: 's', BATON_API_KEY: 'x', OTHER: 'o' };
    expect(inheritedEnv(source, ['PATH', 'HOME', 'LC_*', '*_API_KEY'])).toEqual({ PATH: '/bin', HOME: '/h', LC_ALL: 'C', ANTHROPIC_API_KEY: 'k' });
  });
});

describe(sessionEnv.name, () => {
  const base = { inherited: { PATH: '/bin', HOME: '/h' }, files: { BATON_MANIFEST: '/d/s1/manifest.md' }, sessionId: 's1', port: 21000, sessionDir: '/d/s1', workspaceDir: '/w', runnerKey: 'baton/r1' };

  it('layers inherited < launch env < file paths < what only the runner knows', () => {
    const env = sessionEnv({ ...base, launch: { HOME: '/override', BATON_PORT: '41001', BATON_SESSION_ID: 'wrong', BATON_MANIFEST: 'x', BATON_TASK_TITLE: '$(rm -rf ~)' } });
    expect(env).toMatchObject({
      PATH: '/bin',
      HOME: '/override',
      BATON_MANIFEST: '/d/s1/manifest.md',
      BATON_SESSION_ID: 's1',
      BATON_PORT: '21000',
      PORT: '21000',
      BATON_SESSION_DIR: '/d/s1',
      BATON_WORKSPACE: '/w',
      BATON_RUNNER_KEY: 'baton/r1',
      BATON_TASK_TITLE: '$(rm -rf ~)',
    });
  });

  it('names the token file the runner keeps fresh, over anything the launch says', () => {
    expect(sessionEnv({ ...base, launch: { BATON_TOKEN: 'bat_s.first', BATON_TOKEN_FILE: '/elsewhere' }, tokenFile: '/d/s1/baton-token-4' })).toMatchObject({
      BATON_TOKEN: 'bat_s.first',
      BATON_TOKEN_FILE: '/d/s1/baton-token-4',
    });
  });

  it("keeps a project's own PORT", () => {
    expect(sessionEnv({ ...base, launch: { PORT: '8080' } })).toMatchObject({ PORT: '8080', BATON_PORT: '21000' });
  });
});
