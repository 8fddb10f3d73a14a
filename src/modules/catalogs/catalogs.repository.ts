import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { CatalogHeader, ControlRow, RelatedLink, StoredControl } from './oscal-catalog.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** Controls per upsert statement: one statement for a baseline, a few for the full catalog. */
const CONTROL_CHUNK_ROWS = 1_000;

export interface ControlRef {
  framework: string;
  controlId: string;
}

/** What a ref names: whether its framework has a catalog, and the control it resolves to (null if none). */
export interface ControlResolution extends ControlRef {
  catalog: boolean;
  control: {
    /** The OSCAL id, also when the ref is the label. */
    controlId: string;
    label: string | null;
    title: string;
    /** The id of the control's `assessment-objective` part, when it has one (NIST's `ac-2_obj`). */
    objectiveId: string | null;
  } | null;
}

/** Catalogs, controls and mapping edges in Postgres, always through the request's transaction. */
@QueryOwner()
@Injectable()
export class CatalogsRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  /** Creates the framework a catalog is imported into when it is not known yet; true when it did. */
  async ensureFramework(code: string, name: string): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO compliance_frameworks (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING code`,
      [code, name],
    );
    return rows.length > 0;
  }

  /** Serialises imports of one framework: a second one waits instead of interleaving with the first. */
  async lockCatalog(framework: string): Promise<void> {
    await this.query(`SELECT pg_advisory_xact_lock(hashtextextended('control_catalog:' || $1, 0))`, [framework]);
  }

  /** True when the catalog is new. */
  async upsertCatalog(framework: string, header: CatalogHeader): Promise<boolean> {
    const rows = await this.query<{ inserted: boolean }>(
      `INSERT INTO control_catalogs (framework, uuid, title, version, oscal_version, metadata, params, groups, back_matter)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb)
       ON CONFLICT (framework) DO UPDATE SET
         uuid = excluded.uuid, title = excluded.title, version = excluded.version,
         oscal_version = excluded.oscal_version, metadata = excluded.metadata, params = excluded.params,
         groups = excluded.groups, back_matter = excluded.back_matter, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        framework,
        header.uuid,
        header.title,
        header.version,
        header.oscalVersion,
        JSON.stringify(header.metadata),
        header.params ? JSON.stringify(header.params) : null,
        JSON.stringify(header.groups),
        header.backMatter ? JSON.stringify(header.backMatter) : null,
      ],
    );
    return rows[0].inserted;
  }

  /** Inserts new controls and rewrites changed ones, a chunk per statement; unchanged rows are left alone. */
  async upsertControls(framework: string, controls: ControlRow[]): Promise<{ inserted: number; updated: number }> {
    let inserted = 0;
    let updated = 0;
    for (let start = 0; start < controls.length; start += CONTROL_CHUNK_ROWS) {
      const chunk = controls.slice(start, start + CONTROL_CHUNK_ROWS).map((control) => ({
        control_id: control.controlId,
        group_id: control.groupId,
        label: control.label,
        title: control.title,
        statement: control.statement,
        guidance: control.guidance,
        sort_order: control.sortOrder,
        oscal: control.oscal,
      }));
      const rows = await this.query<{ inserted: boolean }>(
        `INSERT INTO controls AS c (framework, control_id, group_id, label, title, statement, guidance, sort_order, oscal)
         SELECT $1, r.control_id, r.group_id, r.label, r.title, r.statement, r.guidance, r.sort_order, r.oscal
           FROM jsonb_to_recordset($2::jsonb) AS r(control_id text, group_id text, label text, title text,
                                                   statement text, guidance text, sort_order integer, oscal jsonb)
         ON CONFLICT (framework, control_id) DO UPDATE SET
           group_id = excluded.group_id, label = excluded.label, title = excluded.title,
           statement = excluded.statement, guidance = excluded.guidance, sort_order = excluded.sort_order,
           oscal = excluded.oscal, updated_at = now()
         WHERE (c.group_id, c.label, c.title, c.statement, c.guidance, c.sort_order, c.oscal)
               IS DISTINCT FROM
               (excluded.group_id, excluded.label, excluded.title, excluded.statement, excluded.guidance,
                excluded.sort_order, excluded.oscal)
         RETURNING (xmax = 0) AS inserted`,
        [framework, JSON.stringify(chunk)],
      );
      for (const row of rows) {
        if (row.inserted) inserted++;
        else updated++;
      }
    }
    return { inserted, updated };
  }

  /** Points each control at its parent (enhancements under their base control) in one statement. */
  async linkParents(framework: string, controls: ControlRow[]): Promise<void> {
    const pairs = controls.map((control) => ({ control_id: control.controlId, parent: control.parentControlId }));
    await this.query(
      `UPDATE controls c SET parent_id = p.id, updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS r(control_id text, parent text)
         LEFT JOIN controls p ON p.framework = $1 AND p.control_id = r.parent
        WHERE c.framework = $1 AND c.control_id = r.control_id AND c.parent_id IS DISTINCT FROM p.id`,
      [framework, JSON.stringify(pairs)],
    );
  }

  /** Deletes the controls a re-import no longer has (their edges go with them); the count removed. */
  async removeControlsExcept(framework: string, controlIds: string[]): Promise<number> {
    const rows = await this.query<{ removed: string }>(
      `WITH gone AS (DELETE FROM controls WHERE framework = $1 AND control_id <> ALL($2::text[]) RETURNING 1)
       SELECT count(*) AS removed FROM gone`,
      [framework, controlIds],
    );
    return Number(rows[0].removed);
  }

  /**
   * Makes the catalog's own `related` edges (from `source`) exactly `links`: missing ones are added,
   * stale ones removed. Links to controls outside the catalog are left out; the count kept is returned.
   */
  /** Makes the catalog's own `related` edges exactly `links`; says how many there are and whether any changed. */
  async replaceRelatedEdges(
    framework: string,
    source: string,
    links: RelatedLink[],
  ): Promise<{ kept: number; changed: boolean }> {
    const rows = await this.query<{ kept: string; changed: boolean }>(
      `WITH wanted AS (
         SELECT DISTINCT s.id AS source_control, t.id AS target_control
           FROM jsonb_to_recordset($2::jsonb) AS r(source text, target text)
           JOIN controls s ON s.framework = $1 AND s.control_id = r.source
           JOIN controls t ON t.framework = $1 AND t.control_id = r.target
          WHERE s.id <> t.id
       ), removed AS (
         DELETE FROM control_mappings m USING controls s
          WHERE m.source_control = s.id AND s.framework = $1 AND m.source = $3 AND m.relationship = 'related'
            -- NOT IN over a CTE is one hashed subplan; NOT EXISTS was planned as a nested loop
            -- (jsonb_to_recordset is estimated at one row), quadratic in the catalog's edges.
            AND (m.source_control, m.target_control) NOT IN (SELECT source_control, target_control FROM wanted)
         RETURNING 1
       ), added AS (
         INSERT INTO control_mappings (source_control, target_control, relationship, source)
         SELECT source_control, target_control, 'related', $3 FROM wanted
         ON CONFLICT DO NOTHING
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM wanted) AS kept,
              EXISTS (SELECT 1 FROM removed) OR EXISTS (SELECT 1 FROM added) AS changed`,
      [framework, JSON.stringify(links), source],
    );
    return { kept: Number(rows[0].kept), changed: rows[0].changed };
  }

  async findCatalog(framework: string): Promise<CatalogHeader | undefined> {
    const rows = await this.query<{
      uuid: string;
      title: string;
      version: string | null;
      oscal_version: string | null;
      metadata: Record<string, unknown>;
      params: unknown[] | null;
      groups: Record<string, unknown>[];
      back_matter: Record<string, unknown> | null;
    }>(
      `SELECT uuid, title, version, oscal_version, metadata, params, groups, back_matter
         FROM control_catalogs WHERE framework = $1`,
      [framework],
    );
    const row = rows[0];
    return (
      row && {
        uuid: row.uuid,
        title: row.title,
        version: row.version,
        oscalVersion: row.oscal_version,
        metadata: row.metadata,
        params: row.params,
        groups: row.groups,
        backMatter: row.back_matter,
      }
    );
  }

  /** Every control of the catalog in imported order, parents before their children. */
  async controlsOf(framework: string): Promise<StoredControl[]> {
    const rows = await this.query<{
      control_id: string;
      parent: string | null;
      group_id: string | null;
      title: string;
      oscal: Record<string, unknown>;
    }>(
      `SELECT c.control_id, p.control_id AS parent, c.group_id, c.title, c.oscal
         FROM controls c LEFT JOIN controls p ON p.id = c.parent_id
        WHERE c.framework = $1 ORDER BY c.sort_order`,
      [framework],
    );
    return rows.map((row) => ({
      controlId: row.control_id,
      parentControlId: row.parent,
      groupId: row.group_id,
      title: row.title,
      oscal: row.oscal,
    }));
  }

  /**
   * The references that name no control of their framework's catalog (by OSCAL id or label);
   * frameworks without a catalog accept any control id. One statement for any number of refs.
   */
  async unknownControls(refs: ControlRef[]): Promise<ControlRef[]> {
    if (!refs.length) return [];
    const rows = await this.query<{ framework: string; control_id: string }>(
      `SELECT r.framework, r.control_id
         FROM unnest($1::text[], $2::text[]) AS r(framework, control_id)
        WHERE EXISTS (SELECT 1 FROM control_catalogs k WHERE k.framework = r.framework)
          AND NOT EXISTS (SELECT 1 FROM controls c
                           WHERE c.framework = r.framework AND (c.control_id = r.control_id OR c.label = r.control_id))`,
      [refs.map((ref) => ref.framework), refs.map((ref) => ref.controlId)],
    );
    return rows.map((row) => ({ framework: row.framework, controlId: row.control_id }));
  }

  /** Each ref's control, by OSCAL id or else by label (the id wins when both match). One statement. */
  async resolveControls(refs: ControlRef[]): Promise<ControlResolution[]> {
    if (!refs.length) return [];
    const rows = await this.query<{
      framework: string;
      ref: string;
      catalog: boolean;
      control_id: string | null;
      label: string | null;
      title: string | null;
      objective_id: string | null;
    }>(
      `SELECT r.framework, r.ref, k.framework IS NOT NULL AS catalog, c.control_id, c.label, c.title, c.objective_id
         FROM unnest($1::text[], $2::text[]) AS r(framework, ref)
         LEFT JOIN control_catalogs k ON k.framework = r.framework
         LEFT JOIN LATERAL (
           SELECT c.control_id, c.label, c.title,
                  jsonb_path_query_first(c.oscal, '$.parts[*] ? (@.name == "assessment-objective").id') #>> '{}'
                    AS objective_id
             FROM controls c
            WHERE k.framework IS NOT NULL AND c.framework = r.framework
              AND (c.control_id = r.ref OR c.label = r.ref)
            ORDER BY c.control_id = r.ref DESC, c.sort_order
            LIMIT 1
         ) c ON true`,
      [refs.map((ref) => ref.framework), refs.map((ref) => ref.controlId)],
    );
    return rows.map((row) => ({
      framework: row.framework,
      controlId: row.ref,
      catalog: row.catalog,
      control:
        row.control_id === null
          ? null
          : { controlId: row.control_id, label: row.label, title: row.title as string, objectiveId: row.objective_id },
    }));
  }
}
