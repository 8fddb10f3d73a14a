import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from './users.service.js';

const DEV_ADMIN_EMAIL = 'admin@localhost.localdomain';

/**
 * First boot on an empty users table: create an admin from ADMIN_EMAIL/ADMIN_PASSWORD, or, on the
 * embedded default, with ADMIN_EMAIL defaulting to admin@localhost.localdomain and, without
 * ADMIN_PASSWORD, a generated password printed once.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const { email, password } = this.config.bootstrapAdmin;
    const embedded = this.config.isEmbeddedDefault;
    if (password && (email || embedded)) {
      await this.users.create({ email: email ?? DEV_ADMIN_EMAIL, password, role: 'admin' });
      this.logger.log(
        `created the first admin ${email ? 'from ADMIN_EMAIL' : `${DEV_ADMIN_EMAIL} with ADMIN_PASSWORD`}`,
      );
      return;
    }
    if (!embedded) {
      this.logger.warn('no users and no ADMIN_EMAIL/ADMIN_PASSWORD: create an admin with `npm run user:create`');
      return;
    }
    const admin = email ?? DEV_ADMIN_EMAIL;
    const generated = randomBytes(18).toString('base64url');
    await this.users.create({ email: admin, password: generated, role: 'admin' });
    // The one place a secret is logged, on purpose: the embedded default's only way to hand the
    // generated first-admin password to the developer. It is printed once and never stored in clear.
    this.logger.warn(`created admin ${admin} with generated password ${generated} (shown once)`);
    // Once more outside the JSON log, where it would otherwise be one line among a hundred at first boot.
    process.stderr.write(`\nFirst admin: ${admin}  password: ${generated}  (generated, shown once)\n\n`);
  }
}
