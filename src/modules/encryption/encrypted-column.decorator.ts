import { Column, getMetadataArgsStorage, ValueTransformer } from 'typeorm';
import { DecryptionError } from './field-cipher.js';
import { encryptionRegistry } from './encryption-registry.js';

/**
 * What an encrypted property holds after a read that could not be decrypted. Reads never throw,
 * so one tampered row cannot fail a whole listing; services check for this and report it. Saving
 * the entity writes `stored` back unchanged: an unreadable column never blocks a change of another.
 */
export class UnreadableValue {
  constructor(
    readonly error: DecryptionError,
    readonly stored: string,
  ) {}
}

/** A stored ciphertext as read, before EncryptedColumnSubscriber opens it with the row's id. */
export class UnopenedValue {
  constructor(readonly stored: string) {}
}

/** A plaintext sealed for its row while the entity is being written; the subscriber puts `plaintext` back after. */
export class SealedValue {
  constructor(
    readonly plaintext: string,
    readonly stored: string,
  ) {}
}

/**
 * What the transformer gives for a plaintext no subscriber sealed (a write without the row's id,
 * e.g. `update().set()` keyed by a where clause): the driver refuses it, so plaintext never reaches
 * the table. TypeORM also calls the transformer to compare values; a fresh object compares unequal.
 */
class UnsealedPlaintext {
  constructor(
    private readonly target: object,
    private readonly column: string,
  ) {}

  toPostgres(): never {
    const name = `${tableOf(this.target)}.${this.column}`;
    throw new Error(`encrypted column ${name} written without its row id; seal it with columnSealer()`);
  }
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function tableOf(target: object): string {
  const table = getMetadataArgsStorage().tables.find((t) => t.target === target.constructor);
  if (!table?.name) throw new Error(`${target.constructor.name} needs @Entity('<table>') for encrypted columns`);
  return table.name;
}

/**
 * `text` column stored as `v2:<keyId>:…`, bound to its row: EncryptedColumnSubscriber seals the
 * plaintext with the row's id before a write and opens the stored value after a read (`v1:` values
 * too, while they are upgraded). null stays null. With `subject` (the property holding a data
 * subject's id) the value is `s1:<subjectId>:…`, sealed under that subject's key (SubjectKeys),
 * so erasing the subject makes it unreadable.
 */
export function EncryptedColumn(
  options: { name?: string; nullable?: boolean; subject?: string } = {},
): PropertyDecorator {
  return (target, propertyKey) => {
    const property = String(propertyKey);
    const column = options.name ?? snakeCase(property);
    const transformer: ValueTransformer = {
      to: (value: unknown) => {
        if (value === null || value === undefined) return value;
        if (value instanceof SealedValue || value instanceof UnreadableValue || value instanceof UnopenedValue) {
          return value.stored;
        }
        return new UnsealedPlaintext(target, column);
      },
      from: (stored: string | null) => (stored === null || stored === undefined ? stored : new UnopenedValue(stored)),
    };
    encryptionRegistry.columns.push({
      target: target.constructor,
      property,
      column,
      table: () => tableOf(target),
      ...(options.subject && { subject: { property: options.subject, column: snakeCase(options.subject) } }),
    });
    Column({ type: 'text', name: column, nullable: options.nullable ?? false, transformer })(target, propertyKey);
  };
}

/**
 * HMAC of another property's normalised value, in its own indexed column, filled before every
 * insert and update by EncryptedColumnSubscriber: equality lookups without decrypting anything.
 */
export function BlindIndex(source: string, options: { name?: string } = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const property = String(propertyKey);
    encryptionRegistry.blindIndexes.push({ target: target.constructor, property, source });
    Column({ type: 'text', name: options.name ?? snakeCase(property) })(target, propertyKey);
  };
}

/**
 * Seals plaintexts of one encrypted property for rows given by id, for the writes TypeORM does not
 * key by entity: `update().set()` and the bulk COPY path. Resolve it once, call it per row.
 */
export function columnSealer(
  entity: abstract new () => object,
  property: string,
): (plaintext: string | null | undefined, id: string) => SealedValue | null | undefined {
  const { table, column } = encryptedColumn(entity, property);
  return (plaintext, id) =>
    plaintext === null || plaintext === undefined
      ? plaintext
      : new SealedValue(plaintext, encryptionRegistry.cipher().encryptRow(plaintext, { table, column, id }));
}

/**
 * Seals the plaintexts of one encrypted property for many rows at once (`ids[i]` is the row of
 * `plaintexts[i]`), as stored; null stays null. For the bulk COPY path: one metric observation per
 * batch instead of one per value.
 */
export function columnBatchSealer(
  entity: abstract new () => object,
  property: string,
): (plaintexts: readonly (string | null)[], ids: readonly string[]) => (string | null)[] {
  const target = encryptedColumn(entity, property);
  return (plaintexts, ids) => encryptionRegistry.cipher().encryptRows(plaintexts, ids, target);
}

function encryptedColumn(entity: abstract new () => object, property: string): { table: string; column: string } {
  const ref = encryptionRegistry.columns.find((c) => c.target === entity && c.property === property);
  if (!ref) throw new Error(`${entity.name}.${property} is not an @EncryptedColumn`);
  if (ref.subject) throw new Error(`${entity.name}.${property} is sealed per subject; write it through the entity`);
  return { table: ref.table(), column: ref.column };
}
