import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntitySubscriberInterface, InsertEvent, UpdateEvent } from 'typeorm';
import { encryptionRegistry } from './encryption-registry.js';

/** Recomputes every `@BlindIndex` column from its source property before a row is written. */
@Injectable()
export class BlindIndexSubscriber implements EntitySubscriberInterface {
  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  beforeInsert(event: InsertEvent<object>): void {
    this.fill(event.entity);
  }

  beforeUpdate(event: UpdateEvent<object>): void {
    if (event.entity) this.fill(event.entity as object);
  }

  private fill(entity: object | undefined): void {
    if (!entity) return;
    const record = entity as Record<string, unknown>;
    for (const index of encryptionRegistry.blindIndexes) {
      if (!(entity instanceof (index.target as new () => object))) continue;
      const value = record[index.source];
      if (typeof value === 'string') record[index.property] = encryptionRegistry.cipher().blindIndex(value);
    }
  }
}
