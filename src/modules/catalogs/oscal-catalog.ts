import type { FieldError } from '../../common/problem.js';
import { validationProblem } from '../../common/validation.js';

/**
 * An OSCAL catalog (JSON) split into what the catalog tables hold, and put back together for
 * export. Each control keeps its own OSCAL members (class, params, props, links, parts) verbatim;
 * the statement and guidance text columns are derived from its parts.
 */
type Json = Record<string, unknown>;

export interface CatalogHeader {
  uuid: string;
  title: string;
  version: string | null;
  oscalVersion: string | null;
  metadata: Json;
  params: unknown[] | null;
  /** Each group without its controls, in document order. */
  groups: Json[];
  backMatter: Json | null;
}

export interface ControlRow {
  controlId: string;
  parentControlId: string | null;
  groupId: string | null;
  label: string | null;
  title: string;
  statement: string | null;
  guidance: string | null;
  sortOrder: number;
  oscal: Json;
}

export interface RelatedLink {
  source: string;
  target: string;
}

export interface ParsedCatalog {
  header: CatalogHeader;
  controls: ControlRow[];
  related: RelatedLink[];
}

/** OSCAL's token type, restricted to ASCII (ids end up in record bodies and URLs). */
const TOKEN = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const MAX_ID_LENGTH = 64;
const MAX_TITLE_LENGTH = 2_000;
const MAX_ERRORS = 50;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Collector {
  readonly errors: FieldError[] = [];
  add(field: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ field, messages: [message] });
  }
}

function optionalArray(owner: Json, key: string, path: string, errors: Collector): unknown[] | undefined {
  const value = owner[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) errors.add(`${path}.${key}`, `${key} must be an array`);
  return Array.isArray(value) ? value : undefined;
}

function requiredText(owner: Json, key: string, path: string, errors: Collector, max: number): string {
  const value = owner[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    errors.add(`${path}.${key}`, `${key} must be a non-empty string of at most ${max} characters`);
    return '';
  }
  return value;
}

function labelOf(control: Json): string | null {
  const props = Array.isArray(control.props) ? control.props.filter(isObject) : [];
  const labels = props.filter((prop) => prop.name === 'label' && typeof prop.value === 'string');
  const plain = labels.find((prop) => prop.class === undefined) ?? labels[0];
  return plain ? (plain.value as string).slice(0, 200) : null;
}

/** The prose of the named parts and their sub-parts, one line per part, each led by its label. */
function proseOf(parts: unknown, name: string): string | null {
  const lines: string[] = [];
  const walk = (items: unknown, inside: boolean) => {
    if (!Array.isArray(items)) return;
    for (const part of items.filter(isObject)) {
      const within = inside || part.name === name;
      if (within) {
        const label = labelOf(part);
        const prose = typeof part.prose === 'string' ? part.prose : '';
        const line = [label, prose].filter(Boolean).join(' ');
        if (line) lines.push(line);
      }
      if (within || part.name === undefined) walk(part.parts, within);
    }
  };
  walk(parts, false);
  return lines.length ? lines.join('\n') : null;
}

/** A control as read, before its group's id is known (a group's members may precede its id). */
interface PendingControl extends Omit<ControlRow, 'groupId'> {
  groupIndex: number | null;
}

/** Where a catalog's own controls sit: `catalog.controls.<i>` and `catalog.groups.<g>.controls.<i>`. */
export function isCatalogControlPath(path: readonly (string | number)[]): boolean {
  if (path[0] !== 'catalog') return false;
  if (path.length === 3) return path[1] === 'controls' && typeof path[2] === 'number';
  return (
    path.length === 5 &&
    path[1] === 'groups' &&
    typeof path[2] === 'number' &&
    path[3] === 'controls' &&
    typeof path[4] === 'number'
  );
}

/**
 * Reads a catalog control by control (`control`, with its nested enhancements), then the rest of
 * the document (`finish`), so a streamed body never has to be held whole. Every problem is a 400
 * naming its JSON path, raised by `finish`: nothing is half-read.
 */
export class OscalCatalogReader {
  private readonly errors = new Collector();
  private readonly controls: PendingControl[] = [];
  private readonly related: RelatedLink[] = [];
  private readonly seen = new Set<string>();

  /** How many controls (enhancements included) have been read so far. */
  get count(): number {
    return this.controls.length;
  }

  /** One control at `path` (see `isCatalogControlPath`). */
  control(item: unknown, path: readonly (string | number)[]): void {
    this.read(item, path.join('.'), path.length === 5 ? (path[2] as number) : null, null);
  }

  private read(item: unknown, at: string, groupIndex: number | null, parent: string | null): void {
    const errors = this.errors;
    if (!isObject(item)) return errors.add(at, 'a control must be an object');
    const id = typeof item.id === 'string' ? item.id : '';
    if (!TOKEN.test(id) || id.length > MAX_ID_LENGTH) {
      errors.add(`${at}.id`, `id must be an OSCAL token of at most ${MAX_ID_LENGTH} ASCII characters`);
    } else if (this.seen.has(id)) errors.add(`${at}.id`, `id ${id} appears twice in the catalog`);
    this.seen.add(id);
    const controlTitle = requiredText(item, 'title', at, errors, MAX_TITLE_LENGTH);
    for (const key of ['params', 'props', 'links', 'parts']) optionalArray(item, key, at, errors);
    const { id: _id, title: _title, controls: _children, ...oscal } = item;
    this.controls.push({
      controlId: id,
      parentControlId: parent,
      groupIndex,
      label: labelOf(item),
      title: controlTitle,
      statement: proseOf(item.parts, 'statement'),
      guidance: proseOf(item.parts, 'guidance'),
      sortOrder: this.controls.length,
      oscal,
    });
    for (const link of Array.isArray(item.links) ? item.links.filter(isObject) : []) {
      if (link.rel === 'related' && typeof link.href === 'string' && link.href.startsWith('#')) {
        this.related.push({ source: id, target: link.href.slice(1) });
      }
    }
    const nested = optionalArray(item, 'controls', at, errors);
    nested?.forEach((child, index) => this.read(child, `${at}.controls.${index}`, groupIndex, id));
  }

  /**
   * The document around the controls (a streamed one holds none of them any more). Its own
   * defects are listed before the controls', as they come first in a catalog.
   */
  finish(document: unknown): ParsedCatalog {
    const errors = new Collector();
    const catalog = isObject(document) ? document.catalog : undefined;
    if (!isObject(catalog)) throw validationProblem([{ field: 'catalog', messages: ['catalog must be an object'] }]);
    const uuid = typeof catalog.uuid === 'string' ? catalog.uuid : '';
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
      errors.add('catalog.uuid', 'uuid must be a UUID');
    }
    const metadata = isObject(catalog.metadata) ? catalog.metadata : undefined;
    if (!metadata) errors.add('catalog.metadata', 'metadata must be an object');
    const title = metadata ? requiredText(metadata, 'title', 'catalog.metadata', errors, MAX_TITLE_LENGTH) : '';
    const params = optionalArray(catalog, 'params', 'catalog', errors) ?? null;
    const backMatter = catalog['back-matter'];
    if (backMatter !== undefined && !isObject(backMatter))
      errors.add('catalog.back-matter', 'back-matter must be an object');

    const groups: Json[] = [];
    const groupIds: (string | null)[] = [];
    (optionalArray(catalog, 'groups', 'catalog', errors) ?? []).forEach((group, index) => {
      const at = `catalog.groups.${index}`;
      groupIds[index] = null;
      if (!isObject(group)) return errors.add(at, 'a group must be an object');
      const id = typeof group.id === 'string' ? group.id : '';
      if (!TOKEN.test(id) || id.length > MAX_ID_LENGTH) errors.add(`${at}.id`, 'groups must have an OSCAL token id');
      else if (groupIds.includes(id)) errors.add(`${at}.id`, `group id ${id} appears twice`);
      groupIds[index] = id;
      requiredText(group, 'title', at, errors, MAX_TITLE_LENGTH);
      if (group.groups !== undefined) errors.add(`${at}.groups`, 'nested groups are not supported');
      optionalArray(group, 'controls', at, errors);
      const { controls: _members, ...rest } = group;
      groups.push(rest);
    });
    optionalArray(catalog, 'controls', 'catalog', errors);
    for (const error of this.errors.errors) errors.add(error.field, error.messages[0]);
    if (!this.controls.length) errors.add('catalog', 'the catalog has no controls');
    if (errors.errors.length) throw validationProblem(errors.errors);

    const version = typeof metadata?.version === 'string' ? metadata.version : null;
    const oscalVersion = typeof metadata?.['oscal-version'] === 'string' ? metadata['oscal-version'] : null;
    return {
      header: {
        uuid,
        title,
        version,
        oscalVersion,
        metadata: metadata as Json,
        params,
        groups,
        backMatter: (backMatter as Json | undefined) ?? null,
      },
      controls: this.controls.map(({ groupIndex, ...row }) => ({
        ...row,
        groupId: groupIndex === null ? null : (groupIds[groupIndex] ?? null),
      })),
      related: this.related,
    };
  }
}

/** Parses and checks a catalog already in memory: the same reading as a streamed one. */
export function parseOscalCatalog(document: unknown): ParsedCatalog {
  const reader = new OscalCatalogReader();
  const catalog = isObject(document) ? document.catalog : undefined;
  if (isObject(catalog)) {
    const members = (owner: unknown) => (isObject(owner) && Array.isArray(owner.controls) ? owner.controls : []);
    (Array.isArray(catalog.groups) ? catalog.groups : []).forEach((group, g) =>
      members(group).forEach((control, i) => reader.control(control, ['catalog', 'groups', g, 'controls', i])),
    );
    members(catalog).forEach((control, i) => reader.control(control, ['catalog', 'controls', i]));
  }
  return reader.finish(document);
}

export interface StoredControl {
  controlId: string;
  parentControlId: string | null;
  groupId: string | null;
  title: string;
  oscal: Json;
}

/** The catalog as an OSCAL document again: groups and controls in their imported order. */
export function buildOscalCatalog(header: CatalogHeader, rows: StoredControl[]): { catalog: Json } {
  const byId = new Map<string, Json>();
  const topLevel: Json[] = [];
  const byGroup = new Map<string, Json[]>();
  for (const row of rows) {
    const { class: className, ...members } = row.oscal;
    const control: Json = { id: row.controlId, ...(className === undefined ? {} : { class: className }) };
    Object.assign(control, { title: row.title }, members);
    byId.set(row.controlId, control);
    const parent = row.parentControlId ? byId.get(row.parentControlId) : undefined;
    if (parent) ((parent.controls ??= []) as Json[]).push(control);
    else if (row.groupId) byGroup.set(row.groupId, [...(byGroup.get(row.groupId) ?? []), control]);
    else topLevel.push(control);
  }
  const groups = header.groups.map((group) => {
    const members = byGroup.get(group.id as string);
    return members ? { ...group, controls: members } : group;
  });
  return {
    catalog: {
      uuid: header.uuid,
      metadata: header.metadata,
      ...(header.params ? { params: header.params } : {}),
      ...(groups.length ? { groups } : {}),
      ...(topLevel.length ? { controls: topLevel } : {}),
      ...(header.backMatter ? { 'back-matter': header.backMatter } : {}),
    },
  };
}
