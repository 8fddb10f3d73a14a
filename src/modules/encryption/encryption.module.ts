import { Global, Module } from '@nestjs/common';
import { getToken, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { AppConfig } from '../../config/app-config.js';
import { EncryptedColumnSubscriber } from './encrypted-column.subscriber.js';
import { EncryptionAdminController } from './encryption-admin.controller.js';
import {
  ENCRYPTION_DURATION_METRIC,
  ENCRYPTION_OPERATIONS_METRIC,
  EncryptionLabels,
  PrometheusCipherObserver,
} from './encryption-metrics.js';
import { encryptionRegistry } from './encryption-registry.js';
import { EncryptionRotationRepository } from './encryption-rotation.repository.js';
import { KEYRING_SOURCE } from './encryption.tokens.js';
import { FieldCipher } from './field-cipher.js';
import { RotationProgressMetric, rotationProgressGauge } from './jobs/rotation-progress.metric.js';
import {
  RotationScheduleMetric,
  rotationLastSuccessGauge,
  rotationNextGauge,
} from './jobs/rotation-schedule.metric.js';
import { ReencryptionJob } from './jobs/reencryption.job.js';
import { ScheduledRotationJob } from './jobs/scheduled-rotation.job.js';
import { EncryptionClock } from './encryption-clock.js';
import { KeyRotationService } from './key-rotation.service.js';
import { LoadedKeyring, loadKeyring } from './keyring.loader.js';
import { RotationSchedule } from './rotation-schedule.js';
import { SubjectKeyEvictions } from './subject-key-evictions.js';
import { SubjectKeys } from './subject-keys.js';
import { MIGRATION_CIPHER, useMigrationCipher } from '../../infrastructure/database/migration-cipher.js';

const LOADED_KEYRING = Symbol('LOADED_KEYRING');

/**
 * Field-level encryption for every module: the keyring (loaded once at boot), the cipher behind
 * `@EncryptedColumn()`/`@BlindIndex()`, per-subject keys, key rotation (by an admin or on a
 * schedule) and its admin API.
 */
@Global()
@Module({
  controllers: [EncryptionAdminController],
  providers: [
    makeCounterProvider({
      name: ENCRYPTION_OPERATIONS_METRIC,
      help: 'Field encryptions and decryptions by key id',
      labelNames: ['operation', 'key_id'],
    }),
    makeHistogramProvider({
      name: ENCRYPTION_DURATION_METRIC,
      help: 'Field encryption and decryption latency by key id',
      labelNames: ['operation', 'key_id'],
      buckets: [0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.001, 0.005],
    }),
    {
      provide: LOADED_KEYRING,
      inject: [AppConfig],
      useFactory: (config: AppConfig): LoadedKeyring =>
        loadKeyring({ settings: config.encryption, dataDir: config.dataDir, isProduction: config.isProduction }),
    },
    { provide: KEYRING_SOURCE, inject: [LOADED_KEYRING], useFactory: (loaded: LoadedKeyring) => loaded.source },
    {
      provide: FieldCipher,
      inject: [LOADED_KEYRING, getToken(ENCRYPTION_OPERATIONS_METRIC), getToken(ENCRYPTION_DURATION_METRIC)],
      useFactory: (
        loaded: LoadedKeyring,
        operations: Counter<EncryptionLabels>,
        duration: Histogram<EncryptionLabels>,
      ) => {
        const cipher = new FieldCipher(loaded.keyring, new PrometheusCipherObserver(operations, duration));
        encryptionRegistry.use(cipher);
        return cipher;
      },
    },
    { provide: MIGRATION_CIPHER, inject: [FieldCipher], useFactory: useMigrationCipher },
    SubjectKeys,
    SubjectKeyEvictions,
    EncryptedColumnSubscriber,
    EncryptionRotationRepository,
    ReencryptionJob,
    rotationProgressGauge,
    RotationProgressMetric,
    EncryptionClock,
    RotationSchedule,
    rotationLastSuccessGauge,
    rotationNextGauge,
    RotationScheduleMetric,
    KeyRotationService,
    ScheduledRotationJob,
  ],
  exports: [FieldCipher, SubjectKeys, MIGRATION_CIPHER],
})
export class EncryptionModule {}
