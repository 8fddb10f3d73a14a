import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_events.trace_id`: the W3C trace id an event was recorded in (NULL with tracing off, and
 * for every event recorded before). The DDL guard refuses any ALTER TABLE of the trail, so it is
 * switched off around the change and back on, as docs/audit.md prescribes; that needs the
 * superuser who owns it, while a database without the guard needs no more than the trail's owner.
 */
export class AddAuditTraceId1765060000000 implements MigrationInterface {
  name = 'AddAuditTraceId1765060000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await unguarded(queryRunner, `ALTER TABLE audit_events ADD COLUMN trace_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await unguarded(queryRunner, `ALTER TABLE audit_events DROP COLUMN trace_id`);
  }
}

async function unguarded(queryRunner: QueryRunner, statement: string): Promise<void> {
  const [{ guarded }] = (await queryRunner.query(
    `SELECT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'audit_guard_alter' AND evtenabled <> 'D') AS guarded`,
  )) as { guarded: boolean }[];
  if (guarded) await queryRunner.query(`ALTER EVENT TRIGGER audit_guard_alter DISABLE`);
  await queryRunner.query(statement);
  if (guarded) await queryRunner.query(`ALTER EVENT TRIGGER audit_guard_alter ENABLE`);
}
