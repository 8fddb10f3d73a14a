import { Logger } from '@nestjs/common';
import { startTestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

describe('outbox relay at shutdown', () => {
  it('finishes the round in flight and stops before the database connections close', async () => {
    const t = await startTestApp();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const analyst = await t.as('analyst');
      const records = Array.from({ length: 10_000 }, () => aRecord());
      await analyst.post('/compliance/records/bulk').send({ records }).expect(201);
      // The relay is now copying 10,000 events into the search index and the time series. A round
      // cut short by closed connections would count a failed attempt against healthy events.
      await t.close();
      expect(warn.mock.calls.map((call) => String(call[0]))).not.toContainEqual(
        expect.stringMatching(/drain failed|failed on outbox row/),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
