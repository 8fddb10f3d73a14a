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

  observe(operation: 'encrypt' | 'decrypt', keyId: string, seconds: number): void {
    this.operations.inc({ operation, key_id: keyId });
    this.duration.observe({ operation, key_id: keyId }, seconds);
  }
}
