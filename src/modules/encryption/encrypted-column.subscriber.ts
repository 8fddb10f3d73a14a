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
import { DecryptionError } from './field-cipher.js';

type Row = Record<string, unknown>;

/**
 * Binds every `@EncryptedColumn` value to its row. A column transformer sees a value but never its
 * row, so the row-bound work happens here, where TypeORM hands over the whole entity: after a load,
 * stored values are opened with the row's id; before an insert or update, blind indexes are computed
 * and plaintexts sealed with it (an insert without an id gets one first); after the write the
 * entity holds its plaintexts again.
 */
@Injectable()
export class EncryptedColumnSubscriber implements EntitySubscriberInterface {
  private readonly byTarget = new Map<unknown, EncryptedColumnRef[]>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  afterLoad(entity: object, event?: LoadEvent<object>): void {
    const columns = this.columnsOf(event?.metadata.target ?? entity.constructor);
    if (!columns.length) return;
    const row = entity as Row;
    const cipher = encryptionRegistry.cipher();
    for (const ref of columns) {
      const value = row[ref.property];
      if (!(value instanceof UnopenedValue)) continue;
      try {
        if (typeof row.id !== 'string') throw new DecryptionError('malformed', undefined);
        row[ref.property] = cipher.decryptRow(value.stored, { table: ref.table(), column: ref.column, id: row.id });
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        row[ref.property] = new UnreadableValue(error, value.stored);
      }
    }
  }

  beforeInsert(event: InsertEvent<object>): void {
    const row = event.entity as Row | undefined;
    if (!row || !this.columnsOf(event.metadata.target).length) return;
    if (row.id === undefined && generatesUuid(event.metadata)) row.id = randomUUID();
    this.seal(event.metadata, row, row.id);
  }

  beforeUpdate(event: UpdateEvent<object>): void {
    const row = event.entity as Row | undefined;
    if (!row || !this.columnsOf(event.metadata.target).length) return;
    this.seal(event.metadata, row, row.id ?? (event.databaseEntity as Row | undefined)?.id);
  }

  afterInsert(event: InsertEvent<object>): void {
    this.unseal(event.metadata, event.entity as Row | undefined);
  }

  afterUpdate(event: UpdateEvent<object>): void {
    this.unseal(event.metadata, event.entity as Row | undefined);
  }

  /**
   * Blind indexes first (from the plaintext), then every plaintext becomes a SealedValue for this
   * row. Without an id nothing is sealed, and the column transformer makes the driver refuse it.
   */
  private seal(metadata: EntityMetadata, row: Row, id: unknown): void {
    const cipher = encryptionRegistry.cipher();
    const plain = (value: unknown) => (value instanceof SealedValue ? value.plaintext : value);
    for (const index of encryptionRegistry.blindIndexes) {
      if (index.target !== metadata.target) continue;
      const value = plain(row[index.source]);
      if (typeof value === 'string') row[index.property] = cipher.blindIndex(value);
    }
    if (typeof id !== 'string') return;
    for (const ref of this.columnsOf(metadata.target)) {
      const value = plain(row[ref.property]);
      if (typeof value !== 'string') continue;
      row[ref.property] = new SealedValue(
        value,
        cipher.encryptRow(value, { table: ref.table(), column: ref.column, id }),
      );
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
