import { InvalidArgumentError } from 'commander';
import { dependencySpec, keyValue, nonNegativeInt, parseId, parsePriority, positiveInt } from './options';

describe('option parsers', () => {
  it('accepts ids the API accepts', () => {
    expect(parseId('01HX_a-b')).toBe('01HX_a-b');
    for (const bad of ['a.b', '', 'a b', 'x'.repeat(65)]) expect(() => parseId(bad)).toThrow(InvalidArgumentError);
  });

  it('reads numbers strictly', () => {
    expect(positiveInt('12')).toBe(12);
    expect(nonNegativeInt('0')).toBe(0);
    for (const bad of ['0', '-3', '1.5', '1e3', 'x', '']) expect(() => positiveInt(bad)).toThrow(/positive whole number/);
    expect(() => nonNegativeInt('-1')).toThrow(InvalidArgumentError);
  });

  it('reads priorities as 0-4 or P0-P4', () => {
    expect(['0', '4', 'P1', 'p3'].map(parsePriority)).toEqual([0, 4, 1, 3]);
    expect(() => parsePriority('5')).toThrow(/0 \(most urgent\) to 4/);
  });

  it('collects NAME=VALUE pairs; the value may hold "="', () => {
    expect(keyValue('B=2=3', keyValue('A=1'))).toEqual({ A: '1', B: '2=3' });
    expect(() => keyValue('=x')).toThrow(/NAME=VALUE/);
    expect(() => keyValue('novalue')).toThrow(/NAME=VALUE/);
  });

  it('reads dependencies as TASK or TASK:CONDITION', () => {
    const sut = dependencySpec(['success', 'any', 'failure']);
    expect(sut('b:any', sut('a'))).toEqual([
      { taskId: 'a', condition: 'success' },
      { taskId: 'b', condition: 'any' },
    ]);
    expect(() => sut('a:sometimes')).toThrow(/condition must be one of success, any, failure/);
    expect(() => sut('a.b')).toThrow(/TASK_ID/);
  });
});
