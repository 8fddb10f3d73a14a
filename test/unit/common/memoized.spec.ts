import { memoized } from '../../../src/common/memoized';

describe('memoized', () => {
  it('computes each input once while it is among the last ones asked', () => {
    const computed: string[] = [];
    const upper = memoized(2, (input) => {
      computed.push(input);
      return input.toUpperCase();
    });
    expect([upper('a'), upper('b'), upper('a'), upper('b')]).toEqual(['A', 'B', 'A', 'B']);
    expect(computed).toEqual(['a', 'b']);
  });

  it('drops the oldest input beyond its size, and computes it again when asked', () => {
    const computed: string[] = [];
    const length = memoized(2, (input) => {
      computed.push(input);
      return input.length;
    });
    for (const input of ['a', 'bb', 'ccc', 'bb', 'a']) length(input);
    expect(computed).toEqual(['a', 'bb', 'ccc', 'a']);
  });
});
