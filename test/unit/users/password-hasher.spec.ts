import { PasswordHasher } from '../../../src/modules/users/password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 });

  it('stores the scrypt parameters in the hash string', async () => {
    expect(await hasher.hash('correct horse')).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hasher.hash('correct horse');
    expect(await hasher.verify('correct horse', stored)).toBe(true);
    expect(await hasher.verify('correct horsf', stored)).toBe(false);
  });

  it('verifies hashes made with other parameters, so the cost can be raised later', async () => {
    const old = await new PasswordHasher({ N: 2 ** 8, r: 4, p: 1 }).hash('pw');
    expect(await hasher.verify('pw', old)).toBe(true);
  });

  it('rejects a stored value that is not a scrypt hash', async () => {
    expect(await hasher.verify('pw', 'plain')).toBe(false);
  });
});
