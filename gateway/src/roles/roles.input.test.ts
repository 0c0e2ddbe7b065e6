import { describe, expect, it } from 'vitest';
import { parseGrantInput, parseNote } from './roles.input';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    const { code, field } = error as { code: string; field?: string };
    return { code, field };
  }
  return 'accepted';
};

describe('a role grant’s input', () => {
  it('is trimmed and scoped as its role requires', () => {
    expect(parseGrantInput({ subject: ' taro@tohoku.ac.jp ', role: 'FACILITY_MANAGER', institution: ' tohoku-u ' })).toEqual({
      subject: 'taro@tohoku.ac.jp',
      role: 'FACILITY_MANAGER',
      institution: 'tohoku-u',
      agency: null,
      note: null,
    });
    expect(parseGrantInput({ subject: 'h@jsps.go.jp', role: 'FUNDER', agency: 'JSPS', note: ' 審査担当 ' })).toMatchObject({
      agency: 'JSPS',
      institution: null,
      note: '審査担当',
    });
    expect(parseGrantInput({ subject: 'ops', role: 'ADMIN', institution: '', agency: '  ' })).toMatchObject({
      institution: null,
      agency: null,
    });
  });

  it.each([
    ['an empty subject', { subject: '  ', role: 'ADMIN' }, 'input.subject'],
    ['a subject of 201 characters', { subject: 'x'.repeat(201), role: 'ADMIN' }, 'input.subject'],
    ['a subject with a control character', { subject: 'a\u0000b', role: 'ADMIN' }, 'input.subject'],
    ['an unknown role', { subject: 's', role: 'GOD' }, 'input.role'],
    ['an office role without an institution', { subject: 's', role: 'FACILITY_MANAGER' }, 'input.institution'],
    [
      'an institution that is not a code',
      { subject: 's', role: 'INSTITUTION_ADMIN', institution: 'Kyoto U' },
      'input.institution',
    ],
    ['an institution for a national role', { subject: 's', role: 'ADMIN', institution: 'kyoto-u' }, 'input.institution'],
    ['FUNDER without an agency', { subject: 's', role: 'FUNDER' }, 'input.agency'],
    ['an agency of 101 characters', { subject: 's', role: 'FUNDER', agency: 'J'.repeat(101) }, 'input.agency'],
    ['an agency for another role', { subject: 's', role: 'RESEARCHER', agency: 'JSPS' }, 'input.agency'],
    ['a note of 501 characters', { subject: 's', role: 'ADMIN', note: 'n'.repeat(501) }, 'input.note'],
  ])('refuses %s with BAD_USER_INPUT on its field', (_case, input, field) => {
    expect(refusal(() => parseGrantInput(input))).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('keeps line breaks in a note but refuses other control characters', () => {
    expect(parseNote('一行目\n二行目', 'note')).toBe('一行目\n二行目');
    expect(refusal(() => parseNote('bell\u0007', 'note'))).toEqual({ code: 'BAD_USER_INPUT', field: 'note' });
  });
});
