import { bodyIssues, MAX_BODY_DEPTH, nestedDeeperThan } from './request-body';

const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe(bodyIssues.name, () => {
  it('lets no body and {} through a route that takes none', () => {
    expect(bodyIssues(undefined, false)).toEqual([]);
    expect(bodyIssues({}, false)).toEqual([]);
  });

  it('names each field of a body sent to a route that takes none', () => {
    expect(bodyIssues({ name: 'x', force: true }, false)).toEqual([
      { path: 'name', message: 'unknown field: this route takes no body' },
      { path: 'force', message: 'unknown field: this route takes no body' },
    ]);
    expect(bodyIssues(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])), false)).toHaveLength(20);
  });

  it('refuses any other value on a route that takes none as the body', () => {
    for (const body of [[], [1], 'x', 0, null, true]) expect(bodyIssues(body, false)).toEqual([{ path: '(body)', message: 'this route takes no body' }]);
  });

  it('leaves a body to the schema of a route that takes one', () => {
    expect(bodyIssues({ zzUnknown: 1 }, true)).toEqual([]);
    expect(bodyIssues(nested(MAX_BODY_DEPTH), true)).toEqual([]);
  });

  it('refuses deeply nested JSON at every route', () => {
    const deep = nested(10_000);
    expect(bodyIssues(deep, true)).toEqual([{ path: '(body)', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]);
    expect(bodyIssues(deep, false)).toEqual([{ path: '(body)', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]);
  });
});

describe(nestedDeeperThan.name, () => {
  it('counts objects and arrays, not scalars', () => {
    expect(nestedDeeperThan('x', 0)).toBe(false);
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: [{}] }, 2)).toBe(true);
    expect(nestedDeeperThan({ a: [{}] }, 3)).toBe(false);
    expect(nestedDeeperThan(nested(100_000), 5)).toBe(true);
  });
});
