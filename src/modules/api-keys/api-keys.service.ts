import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { ProblemException, ValidationProblem } from '../../common/problem.js';
import { AuditScope } from '../audit/audit-scope.js';
import { type ApiKey, type ApiKeyWithSecrets, isActive } from './api-key.js';
import { displayPrefix, newApiKeySecret } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { CreateApiKeyRequest } from './dto/api-key.dto.js';

/** How long a superseded secret keeps working when a rotation names no overlap. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;

export interface IssuedSecret {
  /** The whole key; shown once, stored only as its hash. */
  secret: string;
  key: ApiKeyWithSecrets;
}

const notFound = () => new ProblemException(404, 'not-found', 'No such API key.');

/** API keys: issue, list, rotate with an overlap, revoke. Authentication itself is `ApiKeyAuthenticator`. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditScope,
  ) {}

  async create(input: CreateApiKeyRequest, caller: AuthenticatedUser): Promise<IssuedSecret> {
    const now = new Date();
    if (input.expiresAt && input.expiresAt <= now) {
      throw new ValidationProblem([{ field: 'expiresAt', messages: ['expiresAt must be in the future'] }]);
    }
    const issued = newApiKeySecret();
    const key: ApiKey = {
      id: randomUUID(),
      name: input.name.trim(),
      role: input.role,
      createdBy: caller.id,
      createdAt: now,
      lastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      allowedCidrs: input.allowedCidrs ?? [],
      revokedAt: null,
    };
    await this.keys.insert(key, issued);
    const stored = await this.require(key.id);
    this.audit.describe({
      resourceType: 'api-key',
      resourceId: key.id,
      details: {
        name: key.name,
        role: key.role,
        prefix: displayPrefix(issued.lookupId),
        expiresAt: key.expiresAt?.toISOString() ?? null,
        allowedCidrs: stored.allowedCidrs,
      },
    });
    return { secret: issued.secret, key: stored };
  }

  list(): Promise<ApiKeyWithSecrets[]> {
    return this.keys.list();
  }

  get(id: string): Promise<ApiKeyWithSecrets> {
    return this.require(id);
  }

  /**
   * A new current secret; the previous ones keep working for `overlapSeconds` (0: they stop at
   * once), never longer than they already would have.
   */
  async rotate(id: string, overlapSeconds = DEFAULT_ROTATION_OVERLAP_SECONDS): Promise<IssuedSecret> {
    const key = await this.require(id, { lock: true });
    const now = new Date();
    if (!isActive(key, now)) throw new ProblemException(409, 'api-key-inactive', 'The API key is revoked or expired.');
    const previousUntil = new Date(now.getTime() + overlapSeconds * 1000);
    await this.keys.supersedeSecrets(id, now, previousUntil);
    const issued = newApiKeySecret();
    await this.keys.insertSecret(id, issued, now);
    this.audit.describe({
      resourceType: 'api-key',
      resourceId: id,
      details: {
        prefix: displayPrefix(issued.lookupId),
        previousPrefix: key.secrets[0] ? displayPrefix(key.secrets[0].lookupId) : null,
        overlapSeconds,
        previousSecretsUntil: previousUntil.toISOString(),
      },
    });
    return { secret: issued.secret, key: await this.require(id) };
  }

  /** Ends the key and every secret of it. Idempotent; the first revocation's time stays. */
  async revoke(id: string): Promise<void> {
    const key = await this.require(id, { lock: true });
    if (!key.revokedAt) await this.keys.revoke(id, new Date());
    this.audit.describe({
      resourceType: 'api-key',
      resourceId: id,
      details: { name: key.name, alreadyRevoked: key.revokedAt !== null },
    });
  }

  private async require(id: string, options?: { lock: boolean }): Promise<ApiKeyWithSecrets> {
    const key = await this.keys.findById(id, options);
    if (!key) throw notFound();
    return key;
  }
}
