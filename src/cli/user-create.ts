import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../common/auth/roles.js';
import { UsersService } from '../modules/users/users.service.js';
import { runCommand } from './command-context.js';

const USAGE = `usage: npm run user:create -- --email <email> [--role ${ROLES.join('|')}]
The password is generated and printed once.`;

/** Exits 2 on a usage error, before anything connects to the database. */
function parseOptions(): { email: string; role: Role } {
  const refuse = (problem: string): never => {
    process.stderr.write(`user:create: ${problem}\n${USAGE}\n`);
    process.exit(2);
  };
  try {
    const { values } = parseArgs({
      options: { email: { type: 'string' }, role: { type: 'string', default: 'admin' } },
    });
    if (!values.email) return refuse('--email is required');
    if (!ROLES.includes(values.role as Role)) return refuse(`unknown role "${values.role}"`);
    return { email: values.email, role: values.role as Role };
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/** Creates a user from the command line, against the configured (or embedded) database. */
const { email, role } = parseOptions();
runCommand('user:create', async ({ app, database }) => {
  const password = randomBytes(18).toString('base64url');
  const user = await app.get(UsersService).create({ email, password, role });
  // Printed once on purpose: the operator running this command is the only recipient of the password.
  process.stdout.write(`created ${role} ${email} (id ${user.id}) in ${database}\npassword: ${password}\n`);
});
