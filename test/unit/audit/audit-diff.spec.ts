import { auditDiff } from '../../../src/modules/audit/audit-diff';

describe('auditDiff', () => {
  it('lists only the fields that changed, before and after, with nothing sensitive when nothing is encrypted', () => {
    expect(auditDiff({ name: 'a', status: 'draft', tags: ['x'] }, { name: 'a', status: 'final', tags: ['x'] })).toEqual(
      {
        details: { before: { status: 'draft' }, after: { status: 'final' } },
      },
    );
  });

  it('shows encrypted fields as [encrypted] in the plaintext diff and hands their values over as sensitive', () => {
    const change = auditDiff(
      { ssn: '123-45-6789', name: 'a' },
      { ssn: '987-65-4321', name: 'b' },
      { encrypted: ['ssn'] },
    );
    expect(change.details).toEqual({
      before: { ssn: '[encrypted]', name: 'a' },
      after: { ssn: '[encrypted]', name: 'b' },
    });
    expect(JSON.stringify(change.details)).not.toContain('45-6789');
    expect(change.sensitive).toEqual({ before: { ssn: '123-45-6789' }, after: { ssn: '987-65-4321' } });
  });

  it('keeps secret fields out of both parts', () => {
    const change = auditDiff(
      { passwordHash: 'scrypt$old' },
      { passwordHash: 'scrypt$new' },
      { secret: ['passwordHash'] },
    );
    expect(change).toEqual({
      details: { before: { passwordHash: '[encrypted]' }, after: { passwordHash: '[encrypted]' } },
    });
  });

  it('shows creation and deletion against null, and an unset encrypted field as null', () => {
    expect(auditDiff(null, { name: 'n', ssn: null }, { encrypted: ['ssn'] })).toEqual({
      details: { before: { name: null }, after: { name: 'n' } },
    });
    expect(auditDiff({ name: 'n', ssn: 'enc' }, null, { encrypted: ['ssn'] })).toEqual({
      details: { before: { name: 'n', ssn: '[encrypted]' }, after: { name: null, ssn: null } },
      sensitive: { before: { ssn: 'enc' }, after: { ssn: null } },
    });
  });
});
