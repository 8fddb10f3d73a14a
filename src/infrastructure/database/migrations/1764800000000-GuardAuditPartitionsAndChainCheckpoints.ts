import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes what the row triggers of CreateAuditTrail leave open:
 * - TRUNCATE of a month partition: a statement trigger on every partition, added by
 *   `audit_guard_partitions()` (here for the existing ones; for later ones by the partition job and,
 *   with a superuser migration, by the event trigger at CREATE TABLE).
 * - DETACH, RENAME, DISABLE TRIGGER, ALTER COLUMN … on the trail's tables, and DROP of them or of
 *   their guard triggers: event triggers. A partition may be dropped only in a transaction that has
 *   written a retention checkpoint (the retention job does both). Creating an event trigger needs a
 *   superuser: another role gets everything else, and the application warns at boot and in verify.
 * - Checkpoints become a chain: `seq` and the previous checkpoint's signature are part of each MAC.
 *   Rows written before this migration keep `seq` NULL and their old signature format.
 */
export class GuardAuditPartitionsAndChainCheckpoints1764800000000 implements MigrationInterface {
  name = 'GuardAuditPartitionsAndChainCheckpoints1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit_checkpoints ADD COLUMN seq bigint, ADD COLUMN prev_signature text,
      ADD CONSTRAINT audit_checkpoints_chained CHECK ((seq IS NULL) = (prev_signature IS NULL))`);
    await queryRunner.query(`CREATE UNIQUE INDEX idx_audit_checkpoints_seq ON audit_checkpoints (seq)`);

    await queryRunner.query(`
      CREATE FUNCTION audit_guard_partitions() RETURNS void LANGUAGE plpgsql AS $$
      DECLARE part regclass;
      BEGIN
        FOR part IN
          SELECT i.inhrelid::regclass FROM pg_inherits i
          WHERE i.inhparent = 'audit_events'::regclass AND NOT EXISTS (
            SELECT 1 FROM pg_trigger t WHERE t.tgrelid = i.inhrelid AND t.tgname = 'audit_partition_no_truncate')
        LOOP
          EXECUTE format('CREATE TRIGGER audit_partition_no_truncate BEFORE TRUNCATE ON %s
            FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()', part);
        END LOOP;
      END $$`);
    await queryRunner.query(`SELECT audit_guard_partitions()`);

    await queryRunner.query(`
      CREATE FUNCTION audit_guard_alter() RETURNS event_trigger LANGUAGE plpgsql AS $$
      DECLARE cmd record;
      BEGIN
        IF to_regclass('audit_events') IS NULL THEN RETURN; END IF;
        BEGIN
          PERFORM audit_guard_partitions();
        EXCEPTION WHEN insufficient_privilege THEN
          NULL; -- a role that does not own the trail creates its own tables; the partition job guards the rest
        END;
        FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag <> 'CREATE TABLE' LOOP
          IF cmd.classid = 'pg_class'::regclass AND (cmd.objid IN ('audit_events'::regclass, 'audit_checkpoints'::regclass)
               OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = cmd.objid AND t.tgname = 'audit_partition_no_truncate'))
             OR cmd.classid = 'pg_trigger'::regclass AND EXISTS (SELECT 1 FROM pg_trigger t
               WHERE t.oid = cmd.objid AND t.tgrelid IN (SELECT objid FROM audit_guarded_tables()))
          THEN
            RAISE EXCEPTION 'audit trail: % on % is refused (the trail is append-only)', cmd.command_tag, cmd.object_identity
              USING ERRCODE = 'insufficient_privilege';
          END IF;
        END LOOP;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION audit_guarded_tables() RETURNS TABLE (objid oid) LANGUAGE sql STABLE AS $$
        SELECT 'audit_events'::regclass::oid UNION SELECT 'audit_checkpoints'::regclass::oid
        UNION SELECT tgrelid FROM pg_trigger WHERE tgname = 'audit_partition_no_truncate'
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION audit_guard_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
      DECLARE dropped record;
      BEGIN
        FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
          IF dropped.object_type = 'table' AND dropped.object_name IN ('audit_events', 'audit_checkpoints', 'audit_chain_heads')
             OR dropped.object_type = 'trigger' AND dropped.object_identity ~ ' on [^ ]*\\.(audit_events|audit_checkpoints)$'
          THEN
            RAISE EXCEPTION 'audit trail: dropping % is refused (the trail is append-only)', dropped.object_identity
              USING ERRCODE = 'insufficient_privilege';
          END IF;
        END LOOP;
        -- A partition goes only after this very transaction wrote the newest checkpoint, a retention one
        -- (the writer lock keeps it newest): that is the retention job. A forged one shows as checkpoint_forged.
        FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects()
          WHERE object_type = 'trigger' AND object_identity LIKE 'audit_partition_no_truncate on %' LOOP
          IF NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE seq = (SELECT max(seq) FROM audit_checkpoints)
               AND kind = 'retention' AND xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text)
          THEN
            RAISE EXCEPTION 'audit trail: dropping % is refused (partitions go only through retention)', dropped.object_identity
              USING ERRCODE = 'insufficient_privilege';
          END IF;
        END LOOP;
      END $$`);

    const [{ superuser }] = (await queryRunner.query(
      `SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
    )) as { superuser: boolean }[];
    // Only a superuser may create event triggers; without them the app says so at boot and in verify.
    if (superuser) {
      await queryRunner.query(`CREATE EVENT TRIGGER audit_guard_alter ON ddl_command_end
        WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'ALTER TRIGGER') EXECUTE FUNCTION audit_guard_alter()`);
      await queryRunner.query(`CREATE EVENT TRIGGER audit_guard_drop ON sql_drop EXECUTE FUNCTION audit_guard_drop()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP EVENT TRIGGER IF EXISTS audit_guard_drop`);
    await queryRunner.query(`DROP EVENT TRIGGER IF EXISTS audit_guard_alter`);
    await queryRunner.query(`DROP FUNCTION audit_guard_drop()`);
    await queryRunner.query(`DROP FUNCTION audit_guard_alter()`);
    await queryRunner.query(`DROP FUNCTION audit_guarded_tables()`);
    await queryRunner.query(`
      DO $$
      DECLARE part regclass;
      BEGIN
        FOR part IN SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'audit_partition_no_truncate' LOOP
          EXECUTE format('DROP TRIGGER audit_partition_no_truncate ON %s', part);
        END LOOP;
      END $$`);
    await queryRunner.query(`DROP FUNCTION audit_guard_partitions()`);
    await queryRunner.query(`DROP INDEX idx_audit_checkpoints_seq`);
    await queryRunner.query(`ALTER TABLE audit_checkpoints DROP CONSTRAINT audit_checkpoints_chained,
      DROP COLUMN prev_signature, DROP COLUMN seq`);
  }
}
