import { ConsistencyToken } from './consistency';
import { withQuery } from './http';

describe(withQuery.name, () => {
  it('leaves out empty parameters', () => {
    expect(withQuery('/api/projects', { limit: 50, offset: 0, status: undefined, minSeq: null, q: '' })).toBe('/api/projects?limit=50&offset=0');
    expect(withQuery('/api/projects')).toBe('/api/projects');
  });

  it('encodes values', () => {
    expect(withQuery('/x', { q: 'a b&c' })).toBe('/x?q=a+b%26c');
  });
});

describe(ConsistencyToken.name, () => {
  it('only ever moves forward', () => {
    const sut = new ConsistencyToken();
    expect(sut.minSeq).toBe(0);
    sut.observe(12);
    sut.observe(7);
    sut.observe(Number.NaN);
    expect(sut.minSeq).toBe(12);
    sut.observe(13);
    expect(sut.minSeq).toBe(13);
  });
});
