import { CreateServiceInstances1764000000000 } from './1764000000000-CreateServiceInstances.js';
import { CreateSearchDocuments1764500000000 } from './1764500000000-CreateSearchDocuments.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [CreateServiceInstances1764000000000, CreateSearchDocuments1764500000000];
