import { Column, getMetadataArgsStorage, ValueTransformer } from 'typeorm';
import { DecryptionError } from './field-cipher.js';
import { encryptionRegistry } from './encryption-registry.js';

/**
 * What an encrypted property holds after a read that could not be decrypted. Reads never throw,
 * so one tampered row cannot fail a whole listing; services check for this and report it.
 */
export class UnreadableValue {
  constructor(readonly error: DecryptionError) {}
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function tableOf(target: object): string {
  const table = getMetadataArgsStorage().tables.find((t) => t.target === target.constructor);
  if (!table?.name) throw new Error(`${target.constructor.name} needs @Entity('<table>') for encrypted columns`);
  return table.name;
}

/** `text` column stored as `v1:<keyId>:…`; encrypts on write, decrypts on read, null stays null. */
export function EncryptedColumn(options: { name?: string; nullable?: boolean } = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const property = String(propertyKey);
    const column = options.name ?? snakeCase(property);
    let aad: string | undefined;
    const identity = () => (aad ??= `${tableOf(target)}.${column}`);
    const transformer: ValueTransformer = {
      to: (value: string | null | undefined) =>
        value === null || value === undefined ? value : encryptionRegistry.cipher().encrypt(value, identity()),
      from: (stored: string | null) => {
        if (stored === null || stored === undefined) return stored;
        try {
          return encryptionRegistry.cipher().decrypt(stored, identity());
        } catch (error) {
          if (error instanceof DecryptionError) return new UnreadableValue(error);
          throw error;
        }
      },
    };
    encryptionRegistry.columns.push({ target: target.constructor, property, column, table: () => tableOf(target) });
    Column({ type: 'text', name: column, nullable: options.nullable ?? false, transformer })(target, propertyKey);
  };
}

/**
 * HMAC of another property's normalised value, in its own indexed column, filled before every
 * insert and update by BlindIndexSubscriber: equality lookups without decrypting anything.
 */
export function BlindIndex(source: string, options: { name?: string } = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const property = String(propertyKey);
    encryptionRegistry.blindIndexes.push({ target: target.constructor, property, source });
    Column({ type: 'text', name: options.name ?? snakeCase(property) })(target, propertyKey);
  };
}
