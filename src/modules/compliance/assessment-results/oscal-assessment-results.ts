import type { ControlResolution } from '../../catalogs/catalogs.repository.js';
import { RECORD_STATUSES, type RecordStatus } from '../records/record-status.js';
import { uuidV5 } from './uuid-v5.js';

export const OSCAL_VERSION = '1.0.6';
/** OSCAL wants an `ns` on every prop it does not define itself; these are Compliance Kit's. */
export const PROPS_NS = 'urn:compliance-kit:oscal';
/** Namespace of the export's name-based UUIDs (results, observations, findings). */
const UUID_NAMESPACE = '20988e0c-9905-4da6-ac36-01f17e459a0a';
/** OSCAL's date-time type admits the years 1900–2999 only; records assessed outside them are not exported. */
export const OSCAL_DATE_RANGE = { from: new Date('1900-01-01T00:00:00Z'), to: new Date('3000-01-01T00:00:00Z') };

/** OSCAL's token (XML NCName); control ids, target ids and prop names must be one. */
const TOKEN = /^[\p{L}_][\p{L}\p{N}._-]*$/u;
/** Tokens without `_` stand for themselves; anything else is escaped, with `_` as the escape character. */
const PLAIN_TOKEN = /^\p{L}[\p{L}\p{N}.-]*$/u;

/** What a finding's target state is for the latest record of an entity; the other statuses decide nothing. */
const DETERMINATION: Record<RecordStatus, 'satisfied' | 'not-satisfied' | undefined> = {
  passed: 'satisfied',
  failed: 'not-satisfied',
  warning: 'not-satisfied',
  not_applicable: undefined,
  pending: undefined,
};

/** The classification facts of a record: never its details or evidence notes. */
export interface AssessedRecord {
  id: string;
  entityId: string;
  controlId: string;
  status: RecordStatus;
  score: number;
  assessedAt: Date;
  version: number;
}

export type CatalogControl = NonNullable<ControlResolution['control']>;

export interface AssessmentResultsInput {
  framework: string;
  frameworkName: string;
  entityId?: string;
  assessedFrom?: Date;
  assessedTo?: Date;
  records: AssessedRecord[];
  /** The catalog control a record's `controlId` resolves to, by that id; absent when none. */
  controls: Map<string, CatalogControl>;
  /** Whether the framework has a catalog (its export is then linked). */
  catalog: boolean;
  documentUuid: string;
  generatedAt: Date;
}

interface OscalProp {
  name: string;
  ns: string;
  value: string;
}

export interface OscalObservation {
  uuid: string;
  title: string;
  description: string;
  props: OscalProp[];
  methods: string[];
  collected: string;
}

export interface OscalFinding {
  uuid: string;
  title: string;
  description: string;
  target: {
    type: 'objective-id';
    'target-id': string;
    title?: string;
    status: { state: 'satisfied' | 'not-satisfied' };
  };
  'related-observations': { 'observation-uuid': string }[];
}

export interface OscalAssessmentResults {
  'assessment-results': {
    uuid: string;
    metadata: { title: string; 'last-modified': string; version: string; 'oscal-version': string };
    'import-ap': { href: string; remarks: string };
    results: Record<string, unknown>[];
  };
}

/** The records of one control, as the document names it. */
interface ControlGroup {
  /** The control's id in the document: the catalog's OSCAL id, else `controlToken` of the record's id. */
  token: string;
  /** How titles show it: the catalog label, else the id the records use. */
  name: string;
  control: CatalogControl | undefined;
  records: AssessedRecord[];
}

const collator = new Intl.Collator('en', { numeric: true });

/**
 * A control id as an OSCAL token, one-to-one: a token without `_` is itself; otherwise every
 * character a token may not have there (and `_` itself) becomes `_<hex code point>_`, so
 * `164.312(a)` is `_31_64.312_28_a_29_`.
 */
export function controlToken(id: string): string {
  if (PLAIN_TOKEN.test(id)) return id;
  let token = '';
  for (const char of id) {
    const kept = token === '' ? /^\p{L}$/u.test(char) : /^[\p{L}\p{N}.-]$/u.test(char);
    token += kept ? char : `_${(char.codePointAt(0) as number).toString(16)}_`;
  }
  return token;
}

export function buildOscalAssessmentResults(input: AssessmentResultsInput): OscalAssessmentResults {
  const { framework, records, generatedAt } = input;
  const groups = groupByControl(records, input.controls);
  const resultUuid = uuidV5(
    UUID_NAMESPACE,
    ['result', framework, input.entityId, input.assessedFrom?.toISOString(), input.assessedTo?.toISOString()]
      .map((part) => part ?? '')
      .join('\u0000'),
  );
  const observations = groups.flatMap((group) => group.records.map((record) => observation(record, group)));
  const findings = groups.flatMap((group) => finding(group, resultUuid) ?? []);
  const times = records.map((record) => record.assessedAt.getTime());
  const start = times.length ? new Date(times.reduce((a, b) => Math.min(a, b))) : generatedAt;
  const end = times.length ? new Date(times.reduce((a, b) => Math.max(a, b))) : generatedAt;
  const scope = `${framework}${input.entityId === undefined ? '' : ` for ${input.entityId}`}`;
  return {
    'assessment-results': {
      uuid: input.documentUuid,
      metadata: {
        title: `${input.frameworkName}: assessment results of ${scope}`,
        'last-modified': generatedAt.toISOString(),
        version: generatedAt.toISOString(),
        'oscal-version': OSCAL_VERSION,
      },
      'import-ap': {
        href: '#',
        remarks:
          'A placeholder the schema requires: these results are exported from Compliance Kit records, ' +
          'not from an OSCAL assessment plan.',
      },
      results: [
        {
          uuid: resultUuid,
          title: `Assessment results of ${scope}`,
          description:
            `${records.length} compliance records of ${scope}${period(input)}, one observation each. A finding per ` +
            'control, decided by the latest record of each entity: not satisfied when any of those is failed or ' +
            'warning, satisfied when none is and one is passed; a control whose latest records are all ' +
            'not_applicable or pending has observations but no finding.',
          start: start.toISOString(),
          end: end.toISOString(),
          props: [prop('framework', framework)],
          'reviewed-controls': reviewedControls(groups, input),
          ...(observations.length ? { observations } : {}),
          ...(findings.length ? { findings } : {}),
        },
      ],
    },
  };
}

function groupByControl(records: AssessedRecord[], controls: Map<string, CatalogControl>): ControlGroup[] {
  const groups = new Map<string, ControlGroup>();
  for (const record of records) {
    const control = controls.get(record.controlId);
    const token = control?.controlId ?? controlToken(record.controlId);
    let group = groups.get(token);
    if (!group) {
      group = { token, name: control ? (control.label ?? control.controlId) : record.controlId, control, records: [] };
      groups.set(token, group);
    }
    group.records.push(record);
  }
  const sorted = [...groups.values()].sort((a, b) => collator.compare(a.token, b.token));
  for (const group of sorted) group.records.sort(byEntityThenTime);
  return sorted;
}

function byEntityThenTime(a: AssessedRecord, b: AssessedRecord): number {
  if (a.entityId !== b.entityId) return a.entityId < b.entityId ? -1 : 1;
  return a.assessedAt.getTime() - b.assessedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function period({ assessedFrom, assessedTo }: AssessmentResultsInput): string {
  if (!assessedFrom && !assessedTo) return '';
  return ` assessed ${assessedFrom ? `from ${assessedFrom.toISOString()} ` : ''}${assessedTo ? `before ${assessedTo.toISOString()}` : ''}`.trimEnd();
}

function reviewedControls(groups: ControlGroup[], input: AssessmentResultsInput): Record<string, unknown> {
  return {
    description: input.catalog
      ? `Controls of the ${input.framework} catalog that the records assess.`
      : `The control ids the records name (${input.framework} has no catalog).`,
    ...(input.catalog
      ? { links: [{ href: `/catalogs/${input.framework}`, rel: 'catalog', 'media-type': 'application/json' }] }
      : {}),
    'control-selections': [
      groups.length
        ? { 'include-controls': groups.map((group) => ({ 'control-id': group.token })) }
        : { description: 'No records matched.' },
    ],
  };
}

function observation(record: AssessedRecord, group: ControlGroup): OscalObservation {
  return {
    uuid: observationUuid(record),
    title: `${group.name} for ${record.entityId}`,
    description: `${group.name} assessed ${record.status} with a score of ${record.score} for ${record.entityId}.`,
    props: [
      prop('record-id', record.id),
      prop('control-id', group.token),
      prop('status', record.status),
      prop('score', String(record.score)),
    ],
    // Records do not say how the assessment was made.
    methods: ['UNKNOWN'],
    collected: record.assessedAt.toISOString(),
  };
}

function finding(group: ControlGroup, resultUuid: string): OscalFinding | undefined {
  const latest = latestPerEntity(group.records);
  const decided = latest.filter((record) => DETERMINATION[record.status]);
  if (!decided.length) return undefined;
  const failing = decided.some((record) => DETERMINATION[record.status] === 'not-satisfied');
  const objective = group.control?.objectiveId;
  const counts = RECORD_STATUSES.map((status) => [status, latest.filter((r) => r.status === status).length] as const);
  return {
    uuid: uuidV5(UUID_NAMESPACE, `finding\u0000${resultUuid}\u0000${group.token}`),
    title: group.control ? `${group.name} ${group.control.title}` : `Control ${group.name}`,
    description:
      `The latest record of each of ${latest.length} ${latest.length === 1 ? 'entity' : 'entities'}: ` +
      `${counts
        .filter(([, count]) => count)
        .map(([status, count]) => `${count} ${status}`)
        .join(', ')}.`,
    target: {
      type: 'objective-id',
      'target-id': objective && TOKEN.test(objective) ? objective : group.token,
      ...(group.control ? { title: group.control.title } : {}),
      status: { state: failing ? 'not-satisfied' : 'satisfied' },
    },
    'related-observations': decided.map((record) => ({ 'observation-uuid': observationUuid(record) })),
  };
}

/** Each entity's latest record (by assessment time, then id), in entity order; `records` are sorted so. */
function latestPerEntity(records: AssessedRecord[]): AssessedRecord[] {
  const latest = new Map<string, AssessedRecord>();
  for (const record of records) latest.set(record.entityId, record);
  return [...latest.values()];
}

function observationUuid(record: AssessedRecord): string {
  return uuidV5(UUID_NAMESPACE, `observation\u0000${record.id}`);
}

function prop(name: string, value: string): OscalProp {
  return { name, ns: PROPS_NS, value };
}
