import { FieldCipher } from './field-cipher.js';

/** One encrypted column, as the rotation job and the status report see it. */
export interface EncryptedColumnRef {
  target: object;
  property: string;
  column: string;
  /** Resolved lazily: property decorators run before `@Entity()` names the table. */
  table(): string;
  /** Sealed under the data subject's key: the property (and column) holding the subject's id. */
  subject?: { property: string; column: string };
}

/**
 * Process-wide handles for the model layer. TypeORM column transformers are plain objects created
 * when the entity class is defined, long before Nest's container exists, so they cannot receive
 * the keyring by injection. EncryptionModule registers the cipher here once at boot; transformers
 * read it at call time (migrations have their own handle, `migration-cipher.ts`).
 */
class EncryptionRegistry {
  private current?: FieldCipher;
  readonly columns: EncryptedColumnRef[] = [];
  readonly blindIndexes: { target: object; property: string; source: string }[] = [];

  use(cipher: FieldCipher): void {
    this.current = cipher;
  }

  cipher(): FieldCipher {
    if (!this.current) throw new Error('encryption keyring not initialised (EncryptionModule not loaded)');
    return this.current;
  }
}

export const encryptionRegistry = new EncryptionRegistry();
