import { Uuidv7Generator } from '../../../src/common/uuidv7';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string) => parseInt(id.replace('-', '').slice(0, 12), 16);
const sorted = (ids: string[]) => [...ids].sort();

describe('Uuidv7Generator', () => {
  it('writes RFC 9562 version 7 ids that carry the clock’s millisecond', () => {
    const now = Date.UTC(2026, 10, 25, 2, 30, 0, 123);
    const id = new Uuidv7Generator(() => now).next();
    expect(id).toMatch(V7);
    expect(millisecondsOf(id)).toBe(now);
  });

  it('keeps ids in the order they were made, within one millisecond and across many', () => {
    let now = 1_795_000_000_000;
    const generator = new Uuidv7Generator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      if (i % 1_000 === 0) now++;
      ids.push(generator.next());
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(sorted(ids)).toEqual(ids);
  });

  it('borrows the next millisecond after 4,096 ids in one, and stays ordered when the clock goes back', () => {
    let now = 1_795_000_000_000;
    const generator = new Uuidv7Generator(() => now);
    const ids = Array.from({ length: 10_000 }, () => generator.next());
    now -= 5_000;
    ids.push(generator.next(), generator.next());
    expect(ids.every((id) => V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sorted(ids)).toEqual(ids);
    expect(millisecondsOf(ids[4_095])).toBe(1_795_000_000_000);
    expect(millisecondsOf(ids[4_096])).toBe(1_795_000_000_001);
  });

  it('fills 62 bits at random, so two generators on the same clock do not collide', () => {
    const clock = () => 1_795_000_000_000;
    const first = new Uuidv7Generator(clock);
    const second = new Uuidv7Generator(clock);
    const ids = Array.from({ length: 2_000 }, (_, i) => (i % 2 ? first : second).next());
    expect(new Set(ids).size).toBe(ids.length);
  });
});
