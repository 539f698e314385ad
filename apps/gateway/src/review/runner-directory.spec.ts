import { parseRunnerUrls, RunnerDirectory, RunnerProxyConfigSchema } from './runner-directory';

describe(parseRunnerUrls.name, () => {
  it('reads id=url pairs, ignoring blanks and trailing slashes', () => {
    expect([...parseRunnerUrls(' r1=http://10.0.0.1:3103/ ,, gpu-2=https://gpu-2.internal ')]).toEqual([
      ['r1', 'http://10.0.0.1:3103'],
      ['gpu-2', 'https://gpu-2.internal'],
    ]);
    expect(parseRunnerUrls('').size).toBe(0);
  });

  it.each([
    ['r1', /not runnerId=url/],
    ['=http://x', /not runnerId=url/],
    ['r.1=http://x', /letters, digits/],
    ['r1=ftp://x', /not an http/],
    ['r1=http://a,r1=http://b', /twice/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRunnerUrls(text)).toThrow(message);
  });
});

describe(RunnerDirectory.name, () => {
  it('answers a runner\'s URL, or null for one it does not know', async () => {
    const sut = new RunnerDirectory(parseRunnerUrls('r1=http://a:1'), 'x'.repeat(16), 1_000);
    expect(await sut.urlOf('r1')).toBe('http://a:1');
    expect(await sut.urlOf('r2')).toBeNull();
  });

  it('prefers the configured address, then the one a runner announces', async () => {
    const sut = new RunnerDirectory(parseRunnerUrls('r1=http://a:1'), null, 1_000, async (id) => (id === 'r3' ? 'http://10.0.0.3:3103' : null));
    expect(await Promise.all(['r1', 'r3', 'r4'].map((id) => sut.urlOf(id)))).toEqual(['http://a:1', 'http://10.0.0.3:3103', null]);
  });

  it('reads its configuration, naming a bad variable', async () => {
    const ok = RunnerDirectory.fromConfig(RunnerProxyConfigSchema.parse({ BATON_RUNNER_URLS: 'r1=http://a:1', BATON_RUNNER_SECRET: 'y'.repeat(16) }));
    expect([await ok.urlOf('r1'), ok.secret, ok.timeoutMs]).toEqual(['http://a:1', 'y'.repeat(16), 120_000]);
    const bad = RunnerProxyConfigSchema.safeParse({ BATON_RUNNER_URLS: 'r1' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['BATON_RUNNER_URLS']);
  });
});
