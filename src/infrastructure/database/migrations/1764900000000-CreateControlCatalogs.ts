import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Control catalogs per framework (OSCAL in, OSCAL out) and the typed mapping edges between
 * controls, within and across frameworks. `controls.oscal` keeps the control's own OSCAL members
 * (params, props, links, parts, class) so an export gives back what was imported; the text
 * columns are the searchable, displayable form. Edges carry the NIST OLIR relationship vocabulary,
 * plus `related` for a catalog's own links.
 */
export class CreateControlCatalogs1764900000000 implements MigrationInterface {
  name = 'CreateControlCatalogs1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE control_catalogs (
        framework      text PRIMARY KEY REFERENCES compliance_frameworks (code),
        uuid           uuid NOT NULL,
        title          text NOT NULL,
        version        text,
        oscal_version  text,
        metadata       jsonb NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
        params         jsonb CHECK (jsonb_typeof(params) = 'array'),
        groups         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(groups) = 'array'),
        back_matter    jsonb CHECK (jsonb_typeof(back_matter) = 'object'),
        imported_at    timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE controls (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        framework   text NOT NULL REFERENCES control_catalogs (framework) ON DELETE CASCADE,
        control_id  text NOT NULL CHECK (length(control_id) BETWEEN 1 AND 64),
        parent_id   bigint REFERENCES controls (id) ON DELETE CASCADE,
        group_id    text,
        label       text,
        title       text NOT NULL,
        statement   text,
        guidance    text,
        sort_order  integer NOT NULL,
        oscal       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(oscal) = 'object'),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (parent_id <> id)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_controls_framework_control_id ON controls (framework, control_id)`,
    );
    await queryRunner.query(`CREATE INDEX idx_controls_framework_label ON controls (framework, label)`);
    await queryRunner.query(`CREATE INDEX idx_controls_framework_sort_order ON controls (framework, sort_order)`);
    await queryRunner.query(`CREATE INDEX idx_controls_parent_id ON controls (parent_id)`);
    await queryRunner.query(`
      CREATE TABLE control_mappings (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_control  bigint NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
        target_control  bigint NOT NULL REFERENCES controls (id) ON DELETE CASCADE,
        relationship    text NOT NULL
                        CHECK (relationship IN ('equivalent', 'subset-of', 'superset-of', 'intersects-with', 'related')),
        strength        smallint CHECK (strength BETWEEN 0 AND 10),
        rationale       text,
        source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (source_control <> target_control)
      )`);
    // Traversal in both directions reads only the index (INCLUDE), by relationship type.
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_control_mappings_source_target_relationship_source
         ON control_mappings (source_control, target_control, relationship, source)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_source_relationship
         ON control_mappings (source_control, relationship) INCLUDE (target_control)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_target_relationship
         ON control_mappings (target_control, relationship) INCLUDE (source_control)`,
    );
    await queryRunner.query(`CREATE INDEX idx_control_mappings_source ON control_mappings (source)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_control_mappings_source`);
    await queryRunner.query(`DROP INDEX idx_control_mappings_target_relationship`);
    await queryRunner.query(`DROP INDEX idx_control_mappings_source_relationship`);
    await queryRunner.query(`DROP INDEX idx_control_mappings_source_target_relationship_source`);
    await queryRunner.query(`DROP TABLE control_mappings`);
    await queryRunner.query(`DROP INDEX idx_controls_parent_id`);
    await queryRunner.query(`DROP INDEX idx_controls_framework_sort_order`);
    await queryRunner.query(`DROP INDEX idx_controls_framework_label`);
    await queryRunner.query(`DROP INDEX idx_controls_framework_control_id`);
    await queryRunner.query(`DROP TABLE controls`);
    await queryRunner.query(`DROP TABLE control_catalogs`);
  }
}
