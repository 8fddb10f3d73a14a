import { toBucket } from '../../../src/modules/compliance/analytics/analytics.service';
import { roundedRatio, sumDecimals } from '../../../src/modules/compliance/analytics/exact-ratio';

describe('exact ratios', () => {
  it('rounds half away from zero as Postgres does, where floating point rounds 71.475 down', () => {
    expect(Math.round((714.75 / 10) * 100) / 100).toBe(71.47);
    expect(roundedRatio('714.75', 10, 2)).toBe(71.48);
    expect(roundedRatio('714.74', 10, 2)).toBe(71.47);
    expect(roundedRatio('-714.75', 10, 2)).toBe(-71.48);
    expect(roundedRatio('1', 800, 4)).toBe(0.0013);
    expect(roundedRatio('2', 3, 4)).toBe(0.6667);
    expect(roundedRatio('100.00', '1', 2)).toBe(100);
  });

  it('sums numerics without floating point drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['71.47', '0.005', '-1'])).toBe('70.475');
    expect(sumDecimals([])).toBe('0');
  });

  it('rejects what is not a plain decimal', () => {
    expect(() => roundedRatio('1e3', 1, 2)).toThrow('not a plain decimal');
    expect(() => roundedRatio('1', 0, 2)).toThrow('division by zero');
  });

  it('gives a bucket the average and pass rate Postgres would round to', () => {
    const bucket = toBucket({
      bucket: new Date('2026-11-10T00:00:00Z'),
      status: null,
      count: '4',
      passed: '1',
      notApplicable: '0',
      scoreSum: '285.90',
    });
    expect(bucket).toMatchObject({ count: 4, passRate: 0.25, averageScore: 71.48 });
  });
});
