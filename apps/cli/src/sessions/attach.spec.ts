import { chunkInput, DETACH_KEY, splitAtDetach } from './attach';

describe(splitAtDetach.name, () => {
  it('sends what comes before Ctrl-] and detaches', () => {
    expect(splitAtDetach('ls\r')).toEqual({ send: 'ls\r', detach: false });
    expect(splitAtDetach(`ab${DETACH_KEY}cd`)).toEqual({ send: 'ab', detach: true });
    expect(splitAtDetach(DETACH_KEY)).toEqual({ send: '', detach: true });
  });
  it('cuts a big paste into pieces the socket accepts', () => {
    expect(chunkInput('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
  });
});
