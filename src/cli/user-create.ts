import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { ROLES, type Role } from '../common/auth/roles.js';
import { UsersService } from '../modules/users/users.service.js';

const USAGE = `usage: npm run user:create -- --email <email> [--role admin|auditor|analyst|service]
The password is generated and printed once.`;

/** Creates a user from the command line, against the configured (or embedded) database. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, role: { type: 'string', default: 'admin' } },
  });
  const role = values.role as Role;
  if (!values.email || !ROLES.includes(role)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(), { logger: ['error', 'warn'] });
  try {
    const password = randomBytes(18).toString('base64url');
    const user = await app.get(UsersService).create({ email: values.email, password, role });
    // Printed once on purpose: the operator running this command is the only recipient of the password.
    process.stdout.write(`created ${role} ${user.id}\npassword: ${password}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`user:create failed: ${(error as Error).message}\n`);
  process.exit(1);
});
