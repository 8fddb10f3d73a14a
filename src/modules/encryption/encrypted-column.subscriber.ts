import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityMetadata,
  EntitySubscriberInterface,
  InsertEvent,
  LoadEvent,
  UpdateEvent,
} from 'typeorm';
import { SealedValue, UnopenedValue, UnreadableValue } from './encrypted-column.decorator.js';
import { encryptionRegistry, type EncryptedColumnRef } from './encryption-registry.js';
import { DecryptionError, FieldCipher, type SubjectKey } from './field-cipher.js';
import { type Queryable, SubjectKeys } from './subject-keys.js';

type Row = Record<string, unknown>;

/**
 * Binds every `@EncryptedColumn` value to its row. A column transformer sees a value but never its
 * row, so the row-bound work happens here, where TypeORM hands over the whole entity: after a load,
 * stored values are opened with the row's id; before an insert or update, blind indexes are computed
 * and plaintexts sealed with it (an insert without an id gets one first); after the write the
 * entity holds its plaintexts again. Columns sealed per subject fetch the subject's key first
 * (through the event's own connection, so a new key commits with the row it was made for).
 */
@Injectable()
export class EncryptedColumnSubscriber implements EntitySubscriberInterface {
  private readonly byTarget = new Map<unknown, EncryptedColumnRef[]>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly subjectKeys: SubjectKeys,
  ) {
    dataSource.subscribers.push(this);
  }

  afterLoad(entity: object, event?: LoadEvent<object>): Promise<void> | void {
    const columns = this.columnsOf(event?.metadata.target ?? entity.constructor);
    if (!columns.length) return;
    const row = entity as Row;
    const cipher = encryptionRegistry.cipher();
    const perSubject: EncryptedColumnRef[] = [];
    for (const ref of columns) {
      const value = row[ref.property];
      if (!(value instanceof UnopenedValue)) continue;
      if (ref.subject && FieldCipher.subjectOf(value.stored) !== undefined) {
        perSubject.push(ref);
        continue;
      }
      this.open(row, ref, value, (identity) => cipher.decryptRow(value.stored, identity));
    }
    if (perSubject.length) return this.openForSubject(row, perSubject, event?.manager);
  }

  async beforeInsert(event: InsertEvent<object>): Promise<void> {
    const row = event.entity as Row | undefined;
    if (!row || !this.columnsOf(event.metadata.target).length) return;
    if (row.id === undefined && generatesUuid(event.metadata)) row.id = randomUUID();
    await this.seal(event.metadata, row, row.id, event.manager);
  }

  async beforeUpdate(event: UpdateEvent<object>): Promise<void> {
    const row = event.entity as Row | undefined;
    if (!row || !this.columnsOf(event.metadata.target).length) return;
    await this.seal(event.metadata, row, row.id ?? (event.databaseEntity as Row | undefined)?.id, event.manager);
  }

  afterInsert(event: InsertEvent<object>): void {
    this.unseal(event.metadata, event.entity as Row | undefined);
  }

  afterUpdate(event: UpdateEvent<object>): void {
    this.unseal(event.metadata, event.entity as Row | undefined);
  }

  /** One key lookup for all of a row's subject-sealed columns; an erased subject reads as `erased`. */
  private async openForSubject(row: Row, refs: EncryptedColumnRef[], db: Queryable | undefined): Promise<void> {
    const cipher = encryptionRegistry.cipher();
    const subjectId = row[(refs[0].subject as { property: string }).property];
    let subject: SubjectKey | DecryptionError;
    try {
      if (typeof subjectId !== 'string') throw new DecryptionError('malformed', undefined);
      subject = await this.subjectKeys.forReading(subjectId, db);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      subject = error;
    }
    for (const ref of refs) {
      const value = row[ref.property] as UnopenedValue;
      this.open(row, ref, value, (identity) => {
        if (subject instanceof DecryptionError) throw subject;
        return cipher.decryptForSubject(value.stored, identity, subject);
      });
    }
  }

  private open(
    row: Row,
    ref: EncryptedColumnRef,
    value: UnopenedValue,
    decrypt: (identity: { table: string; column: string; id: string }) => string,
  ): void {
    try {
      if (typeof row.id !== 'string') throw new DecryptionError('malformed', undefined);
      row[ref.property] = decrypt({ table: ref.table(), column: ref.column, id: row.id });
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      row[ref.property] = new UnreadableValue(error, value.stored);
    }
  }

  /**
   * Blind indexes first (from the plaintext), then every plaintext becomes a SealedValue for this
   * row, under the subject's key for per-subject columns. Without an id nothing is sealed, and the
   * column transformer makes the driver refuse it; writing a plaintext for an erased subject throws.
   */
  private async seal(metadata: EntityMetadata, row: Row, id: unknown, db: Queryable): Promise<void> {
    const cipher = encryptionRegistry.cipher();
    const plain = (value: unknown) => (value instanceof SealedValue ? value.plaintext : value);
    for (const index of encryptionRegistry.blindIndexes) {
      if (index.target !== metadata.target) continue;
      const value = plain(row[index.source]);
      if (typeof value === 'string') row[index.property] = cipher.blindIndex(value);
    }
    if (typeof id !== 'string') return;
    let subject: SubjectKey | undefined;
    for (const ref of this.columnsOf(metadata.target)) {
      const value = plain(row[ref.property]);
      if (typeof value !== 'string') continue;
      const identity = { table: ref.table(), column: ref.column, id };
      if (ref.subject) {
        const subjectId = row[ref.subject.property] ?? (ref.subject.property === 'id' ? id : undefined);
        if (typeof subjectId !== 'string') continue;
        subject ??= await this.subjectKeys.forWriting(subjectId, db);
        row[ref.property] = new SealedValue(value, cipher.encryptForSubject(value, identity, subject));
      } else {
        row[ref.property] = new SealedValue(value, cipher.encryptRow(value, identity));
      }
    }
  }

  private unseal(metadata: EntityMetadata, row: Row | undefined): void {
    if (!row) return;
    for (const ref of this.columnsOf(metadata.target)) {
      const value = row[ref.property];
      if (value instanceof SealedValue) row[ref.property] = value.plaintext;
    }
  }

  private columnsOf(target: unknown): EncryptedColumnRef[] {
    let columns = this.byTarget.get(target);
    if (!columns) {
      columns = encryptionRegistry.columns.filter((ref) => ref.target === target);
      this.byTarget.set(target, columns);
    }
    return columns;
  }
}

function generatesUuid(metadata: EntityMetadata): boolean {
  return metadata.primaryColumns.some((column) => column.propertyName === 'id' && column.generationStrategy === 'uuid');
}
