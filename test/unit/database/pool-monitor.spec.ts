import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { PoolMonitor } from '../../../src/infrastructure/database/pool-monitor';

class FakePool extends EventEmitter {
  totalCount = 0;
  idleCount = 0;
  waitingCount = 0;
  options = { max: 10 };
}

describe('PoolMonitor', () => {
  let pool: FakePool;
  let values: Record<string, number>;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    pool = new FakePool();
    values = {};
    const gauge = { set: (labels: { state: string }, value: number) => (values[labels.state] = value) };
    const dataSource = { driver: { master: pool } } as unknown as DataSource;
    new PoolMonitor(dataSource, gauge as unknown as Gauge<'state'>).onApplicationBootstrap();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('publishes total, idle, waiting and max on every pool event', () => {
    Object.assign(pool, { totalCount: 4, idleCount: 1, waitingCount: 2 });
    pool.emit('acquire');
    expect(values).toEqual({ total: 4, idle: 1, waiting: 2, max: 10 });
  });

  it('warns once the pool passes 90% in use, and not again within the interval', () => {
    Object.assign(pool, { totalCount: 8, idleCount: 0 });
    pool.emit('acquire');
    expect(warn).not.toHaveBeenCalled();
    Object.assign(pool, { totalCount: 10, idleCount: 0, waitingCount: 3 });
    pool.emit('acquire');
    pool.emit('acquire');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('database pool at 100% (10/10 in use, 3 waiting)');
  });
});
