import { CreateServiceInstances1764000000000 } from './1764000000000-CreateServiceInstances.js';
import { CreateUsers1764100000000 } from './1764100000000-CreateUsers.js';
import { EncryptUserDisplayName1764100000001 } from './1764100000001-EncryptUserDisplayName.js';
import { CreateEncryptionRotations1764100000002 } from './1764100000002-CreateEncryptionRotations.js';
import { CreateSessionStore1764200000000 } from './1764200000000-CreateSessionStore.js';
import { CreateLoginFailures1764200000001 } from './1764200000001-CreateLoginFailures.js';
import { AddSessionRedisPurgePending1764200000002 } from './1764200000002-AddSessionRedisPurgePending.js';
import { CreateOutbox1764300000000 } from './1764300000000-CreateOutbox.js';
import { CreateComplianceRecords1764300001000 } from './1764300001000-CreateComplianceRecords.js';
import { CreateComplianceEvents1764300002000 } from './1764300002000-CreateComplianceEvents.js';
import { MoveComplianceEventsToTimescale1764300002001 } from './1764300002001-MoveComplianceEventsToTimescale.js';
import { CreateAuditTrail1764400000000 } from './1764400000000-CreateAuditTrail.js';
import { CreateSearchDocuments1764500000000 } from './1764500000000-CreateSearchDocuments.js';
import { AddUserVersion1764500001000 } from './1764500001000-AddUserVersion.js';
import { PartitionSearchDocuments1764500002000 } from './1764500002000-PartitionSearchDocuments.js';
import { BatchOutboxEvents1764600000000 } from './1764600000000-BatchOutboxEvents.js';
import { CompressOutboxPayload1764700000000 } from './1764700000000-CompressOutboxPayload.js';
import { GuardAuditPartitionsAndChainCheckpoints1764800000000 } from './1764800000000-GuardAuditPartitionsAndChainCheckpoints.js';
import { AddRotationTargetEnvelope1764820000000 } from './1764820000000-AddRotationTargetEnvelope.js';
import { CreateControlCatalogs1764900000000 } from './1764900000000-CreateControlCatalogs.js';
import { CreateControlCentralityAndRecordControlIndex1764910000000 } from './1764910000000-CreateControlCentralityAndRecordControlIndex.js';
import { IncludeMappingIdInTraversalIndexes1764930000000 } from './1764930000000-IncludeMappingIdInTraversalIndexes.js';
import { CreateApiKeys1765000000000 } from './1765000000000-CreateApiKeys.js';
import { EncryptSessionOrigin1765010000000 } from './1765010000000-EncryptSessionOrigin.js';
import { CreateUserKnownDevices1765020000000 } from './1765020000000-CreateUserKnownDevices.js';
import { CreateAuditDataKeys1765040000000 } from './1765040000000-CreateAuditDataKeys.js';
import { CreateControlCentralityState1765050000000 } from './1765050000000-CreateControlCentralityState.js';
import { AddAuditTraceId1765060000000 } from './1765060000000-AddAuditTraceId.js';
import { TuneComplianceEventsTimescalePolicies1765070000000 } from './1765070000000-TuneComplianceEventsTimescalePolicies.js';
import { CreateSubjectKeys1765090000000 } from './1765090000000-CreateSubjectKeys.js';
import { CreateEncryptionKeyActivations1765091000000 } from './1765091000000-CreateEncryptionKeyActivations.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [
  CreateServiceInstances1764000000000,
  CreateUsers1764100000000,
  EncryptUserDisplayName1764100000001,
  CreateEncryptionRotations1764100000002,
  CreateSessionStore1764200000000,
  CreateLoginFailures1764200000001,
  AddSessionRedisPurgePending1764200000002,
  CreateOutbox1764300000000,
  CreateComplianceRecords1764300001000,
  CreateComplianceEvents1764300002000,
  MoveComplianceEventsToTimescale1764300002001,
  CreateAuditTrail1764400000000,
  CreateSearchDocuments1764500000000,
  AddUserVersion1764500001000,
  PartitionSearchDocuments1764500002000,
  BatchOutboxEvents1764600000000,
  CompressOutboxPayload1764700000000,
  GuardAuditPartitionsAndChainCheckpoints1764800000000,
  AddRotationTargetEnvelope1764820000000,
  CreateControlCatalogs1764900000000,
  CreateControlCentralityAndRecordControlIndex1764910000000,
  IncludeMappingIdInTraversalIndexes1764930000000,
  CreateApiKeys1765000000000,
  EncryptSessionOrigin1765010000000,
  CreateUserKnownDevices1765020000000,
  CreateAuditDataKeys1765040000000,
  CreateControlCentralityState1765050000000,
  AddAuditTraceId1765060000000,
  TuneComplianceEventsTimescalePolicies1765070000000,
  CreateSubjectKeys1765090000000,
  CreateEncryptionKeyActivations1765091000000,
];
