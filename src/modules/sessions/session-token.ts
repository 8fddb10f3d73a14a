import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: the bearer token, shown to the client once. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** The only form of a token that is ever stored or used as a key. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
