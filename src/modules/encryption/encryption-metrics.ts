import type { Counter, Histogram } from 'prom-client';
import type { CipherObserver } from './field-cipher.js';

export const ENCRYPTION_OPERATIONS_METRIC = 'encryption_operations_total';
export const ENCRYPTION_DURATION_METRIC = 'encryption_operation_duration_seconds';
export type EncryptionLabels = 'operation' | 'key_id';

/** Encrypt/decrypt counts and latency by key id; labels never carry values. */
export class PrometheusCipherObserver implements CipherObserver {
  constructor(
    private readonly operations: Counter<EncryptionLabels>,
    private readonly duration: Histogram<EncryptionLabels>,
  ) {}

  /** A batch counts each operation and observes its mean duration once. */
  observe(operation: 'encrypt' | 'decrypt', keyId: string, seconds: number, count = 1): void {
    this.operations.inc({ operation, key_id: keyId }, count);
    this.duration.observe({ operation, key_id: keyId }, seconds);
  }
}
