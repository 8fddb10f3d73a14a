/** How the keyring was configured (see keyring.loader.ts). */
export const KEYRING_SOURCE = Symbol('KEYRING_SOURCE');
