import { hasReached, orderedLsn } from '../../../src/infrastructure/database/lsn.js';

describe('WAL positions', () => {
  it('orders as text the way Postgres orders them', () => {
    const positions = ['0/16B3748', '1/0', '0/FFFFFFFF', 'A/1', '0/16B3749'];
    expect([...positions].map(orderedLsn).sort()).toEqual(
      ['0/16B3748', '0/16B3749', '0/FFFFFFFF', '1/0', 'A/1'].map(orderedLsn),
    );
  });

  it('tells whether a replay position has reached a wanted one; an unknown one has not', () => {
    expect(hasReached('0/16B3749', orderedLsn('0/16B3748'))).toBe(true);
    expect(hasReached('0/16B3748', orderedLsn('0/16B3748'))).toBe(true);
    expect(hasReached('0/16B3747', orderedLsn('0/16B3748'))).toBe(false);
    expect(hasReached(null, orderedLsn('0/0'))).toBe(false);
  });
});
