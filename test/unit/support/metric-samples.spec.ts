import { samplesOf, totalOf } from '../../support/metric-samples';

const SCRAPE = `# HELP session_store_fallbacks_total Session operations answered by Postgres
# TYPE session_store_fallbacks_total counter
session_store_fallbacks_total{operation="find"} 3
session_store_fallbacks_total{operation="save"} 2
session_store_fallbacks_total_other 9
http_request_duration_seconds_bucket{le="0.1"} 7
session_store_degraded 1
`;

describe('samplesOf', () => {
  it("reads each label set of one metric and nothing of another's", () => {
    expect(samplesOf(SCRAPE, 'session_store_fallbacks_total')).toEqual([
      { labels: 'operation="find"', value: 3 },
      { labels: 'operation="save"', value: 2 },
    ]);
    expect(samplesOf(SCRAPE, 'session_store_degraded')).toEqual([{ labels: '', value: 1 }]);
    expect(totalOf(SCRAPE, 'session_store_fallbacks_total')).toBe(5);
    expect(totalOf(SCRAPE, 'absent_total')).toBe(0);
  });
});
