import { createCipheriv, createDecipheriv, createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Counter, Histogram, Registry } from 'prom-client';
import { getMetadataArgsStorage, ValueTransformer } from 'typeorm';
import { DURATION_SECONDS } from '../lib/load';
import { ratio, report } from '../lib/report';
import { columnSealer, UnopenedValue } from '../../src/modules/encryption/encrypted-column.decorator';
import { PrometheusCipherObserver } from '../../src/modules/encryption/encryption-metrics';
import { encryptionRegistry } from '../../src/modules/encryption/encryption-registry';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { Keyring } from '../../src/modules/encryption/keyring';
import { UserEntity } from '../../src/modules/users/entities/user.entity';

const VALUE = 'jane.doe@example.com';
const AAD = Buffer.from('users.email');

/** Round trips (encrypt then decrypt) per second for `seconds`. */
function measure(name: string, seconds: number, roundTrip: () => void) {
  let operations = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) roundTrip();
    operations += 1000;
  }
  return { name, roundTripsPerSecond: Math.round(operations / ((performance.now() - started) / 1000)) };
}

/** The same AES-256-GCM round trip written directly, key prepared once as a KeyObject. */
function rawRoundTrip(key: KeyObject): void {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(VALUE, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(AAD);
  decipher.setAuthTag(tag);
  Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/**
 * Field encryption as an @EncryptedColumn write and read do it (seal for the row, the column
 * transformer both ways, open with the row's id; with metrics) vs raw node:crypto AES-256-GCM.
 */
export async function encryptionThroughput(): Promise<void> {
  const key = randomBytes(32);
  const registry = new Registry();
  const observer = new PrometheusCipherObserver(
    new Counter({ name: 'ops', help: 'ops', labelNames: ['operation', 'key_id'], registers: [registry] }),
    new Histogram({ name: 'lat', help: 'lat', labelNames: ['operation', 'key_id'], registers: [registry] }),
  );
  encryptionRegistry.use(new FieldCipher(new Keyring({ k1: key }, 'k1', randomBytes(32)), observer));
  const column = getMetadataArgsStorage().columns.find((c) => c.target === UserEntity && c.propertyName === 'email');
  const transformer = column?.options.transformer as ValueTransformer;

  const seconds = Math.max(1, DURATION_SECONDS / 2);
  const secretKey = createSecretKey(key);
  const raw = measure('raw node:crypto AES-256-GCM', seconds, () => rawRoundTrip(secretKey));
  const seal = columnSealer(UserEntity, 'email');
  const row = { table: 'users', column: 'email', id: randomUUID() };
  const cipher = encryptionRegistry.cipher();
  const field = measure('@EncryptedColumn row-bound seal + open', seconds, () => {
    const stored = transformer.from(transformer.to(seal(VALUE, row.id))) as UnopenedValue;
    cipher.decryptRow(stored.stored, row);
  });
  report({
    benchmark: 'encryption-throughput',
    rows: [raw, field],
    ratios: { 'transformer / raw round trips': ratio(field.roundTripsPerSecond, raw.roundTripsPerSecond) },
    summary: [
      {
        metric: 'encrypt + decrypt through @EncryptedColumn',
        value: field.roundTripsPerSecond,
        baseline: raw.roundTripsPerSecond,
        baselineLabel: 'raw AES-256-GCM',
        unit: 'round trips/s',
      },
    ],
  });
}
