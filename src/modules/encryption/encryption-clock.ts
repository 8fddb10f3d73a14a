import { Injectable } from '@nestjs/common';

/** Time source of the rotation schedule; a class so tests can move it past a key's interval. */
@Injectable()
export class EncryptionClock {
  now(): Date {
    return new Date();
  }
}
