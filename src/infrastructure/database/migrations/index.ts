import { CreateServiceInstances1764000000000 } from './1764000000000-CreateServiceInstances.js';
import { CreateAuditTrail1764400000000 } from './1764400000000-CreateAuditTrail.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [CreateServiceInstances1764000000000, CreateAuditTrail1764400000000];
