import { CreateServiceInstances1764000000000 } from './1764000000000-CreateServiceInstances.js';
import { CreateOutbox1764300000000 } from './1764300000000-CreateOutbox.js';
import { CreateComplianceRecords1764300001000 } from './1764300001000-CreateComplianceRecords.js';
import { CreateComplianceEvents1764300002000 } from './1764300002000-CreateComplianceEvents.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [
  CreateServiceInstances1764000000000,
  CreateOutbox1764300000000,
  CreateComplianceRecords1764300001000,
  CreateComplianceEvents1764300002000,
];
