import { LONG_SECONDS, MAX_WORKERS, NO_DIRECTIVES, parseDirectives, parsePlan, slugify, stripDirectives } from './directives';

describe(parseDirectives.name, () => {
  it('finds nothing in plain text', () => {
    expect(parseDirectives('Add a login page', 'Use [brackets] for nothing')).toEqual(NO_DIRECTIVES);
  });

  it.each([
    ['[fail]', { fail: true }],
    ['[FAIL-ONCE]', { failOnce: true }],
    ['[Conflict]', { conflict: true }],
    ['[fast]', { fast: true }],
    ['[plan]', { plan: true }],
    ['[quota]', { quota: true }],
    ['[slow:12]', { slowSeconds: 12 }],
    ['[slow: 1.5]', { slowSeconds: 1.5 }],
    ['[long]', { slowSeconds: LONG_SECONDS }],
    ['[spawn-workers:3]', { spawnWorkers: 3 }],
    ['[spawn-workers:999]', { spawnWorkers: MAX_WORKERS }],
  ])('reads %s, in any case, from the title', (directive, expected) => {
    expect(parseDirectives(`Do it ${directive}`)).toEqual({ ...NO_DIRECTIVES, ...expected });
  });

  it('reads directives from the description too', () => {
    expect(parseDirectives('Build', 'first line\n[Fail] and [slow:3]')).toMatchObject({ fail: true, slowSeconds: 3 });
  });

  it('asks a question of its own for [ask], the given one for [needs-input: …]', () => {
    expect(parseDirectives('Pick a colour [ask]').ask).toBe('How should I go about "Pick a colour"?');
    expect(parseDirectives('Pick', '[needs-input: Which colour, red or blue?]').ask).toBe('Which colour, red or blue?');
    expect(parseDirectives('Pick [ask]', '[NEEDS-INPUT: Really?]').ask).toBe('Really?');
  });

  it('ignores malformed arguments', () => {
    expect(parseDirectives('[slow:abc] [slow:-1] [spawn-workers:x] [spawn-workers:0]')).toEqual(NO_DIRECTIVES);
  });
});

describe(stripDirectives.name, () => {
  it('leaves the words', () => expect(stripDirectives('Add  login [fail] [slow:2] now')).toBe('Add login now'));
});

describe(slugify.name, () => {
  it('makes a file-name-safe slug', () => {
    expect(slugify('Add the Login page [fail]')).toBe('add-the-login-page');
    expect(slugify('Ünïcödé — café')).toBe('unicode-cafe');
  });
  it('keeps hostile titles inert', () => {
    expect(slugify('$(rm -rf ~) && ../../etc/passwd')).toBe('rm-rf-etc-passwd');
    expect(slugify('`;|&`', 'T-1')).toBe('t-1');
    expect(slugify('***')).toBe('task');
  });
  it('stays short', () => expect(slugify('x'.repeat(200)).length).toBe(50));
});

describe(parsePlan.name, () => {
  it('reads list lines after "Plan:" until a blank line, with their dependencies', () => {
    const description = ['Some intro.', '', 'Plan:', '- Design the schema', '- Build the API (after 1)', '3. Write tests (depends on 1, 2)', '* Ship it (after 9)', '', '- not part of it'].join('\n');
    expect(parsePlan(description)).toEqual([
      { index: 1, title: 'Design the schema', dependsOn: [] },
      { index: 2, title: 'Build the API', dependsOn: [1] },
      { index: 3, title: 'Write tests', dependsOn: [1, 2] },
      { index: 4, title: 'Ship it', dependsOn: [] },
    ]);
  });
  it('refuses forward references, so a plan never cycles', () => {
    expect(parsePlan('plan:\n- A (after 2)\n- B (after 1)')).toEqual([
      { index: 1, title: 'A', dependsOn: [] },
      { index: 2, title: 'B', dependsOn: [1] },
    ]);
  });
  it('is empty without a plan block', () => expect(parsePlan('no plan here\n- a list')).toEqual([]));
});
