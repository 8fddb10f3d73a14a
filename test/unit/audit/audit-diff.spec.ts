import { auditDiff } from '../../../src/modules/audit/audit-diff';

describe('auditDiff', () => {
  it('lists only the fields that changed, before and after', () => {
    expect(auditDiff({ name: 'a', status: 'draft', tags: ['x'] }, { name: 'a', status: 'final', tags: ['x'] })).toEqual(
      {
        before: { status: 'draft' },
        after: { status: 'final' },
      },
    );
  });

  it('shows encrypted fields as [encrypted], never their values', () => {
    const diff = auditDiff({ ssn: 'enc:v1:aaa' }, { ssn: 'enc:v1:bbb' }, { encrypted: ['ssn'] });
    expect(diff).toEqual({ before: { ssn: '[encrypted]' }, after: { ssn: '[encrypted]' } });
  });

  it('shows creation and deletion against null, and an unset encrypted field as null', () => {
    expect(auditDiff(null, { name: 'n', ssn: null }, { encrypted: ['ssn'] })).toEqual({
      before: { name: null },
      after: { name: 'n' },
    });
    expect(auditDiff({ name: 'n', ssn: 'enc' }, null, { encrypted: ['ssn'] })).toEqual({
      before: { name: 'n', ssn: '[encrypted]' },
      after: { name: null, ssn: null },
    });
  });
});
