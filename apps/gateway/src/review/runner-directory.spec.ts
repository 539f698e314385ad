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
  it('answers a runner\'s URL, or null for one it does not know', () => {
    const sut = new RunnerDirectory(parseRunnerUrls('r1=http://a:1'), 'x'.repeat(16), 1_000);
    expect(sut.urlOf('r1')).toBe('http://a:1');
    expect(sut.urlOf('r2')).toBeNull();
  });

  it('reads its configuration, naming a bad variable', () => {
    const ok = RunnerDirectory.fromConfig(RunnerProxyConfigSchema.parse({ BATON_RUNNER_URLS: 'r1=http://a:1', BATON_RUNNER_SECRET: 'y'.repeat(16) }));
    expect([ok.urlOf('r1'), ok.secret, ok.timeoutMs]).toEqual(['http://a:1', 'y'.repeat(16), 120_000]);
    const bad = RunnerProxyConfigSchema.safeParse({ BATON_RUNNER_URLS: 'r1' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['BATON_RUNNER_URLS']);
  });
});
