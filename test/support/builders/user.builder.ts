import { randomBytes } from 'node:crypto';
import type { Role } from '../../../src/common/auth/roles';

export interface UserInput {
  email: string;
  password: string;
  role: Role;
  phone?: string;
  ssn?: string;
  address?: string;
  displayName?: string;
}

/** A valid create-user body with a unique email; override any field. */
export function aUser(overrides: Partial<UserInput> = {}): UserInput {
  const tag = randomBytes(4).toString('hex');
  return {
    email: `user.${tag}@example.com`,
    password: `pw-${randomBytes(12).toString('base64url')}`,
    role: 'analyst',
    phone: '+14155550123',
    ssn: '123-45-6789',
    address: '1 Main St, Springfield',
    displayName: 'Jane Doe',
    ...overrides,
  };
}
