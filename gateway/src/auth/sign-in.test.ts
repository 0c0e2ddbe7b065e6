import { describe, expect, it } from 'vitest';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { parseReturnPath } from './browser-sessions';
import { cookieValue, signInErrorPage } from './sign-in.routes';

const fieldOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? `${error.code}:${error.field}` : String(error);
  }
  return 'accepted';
};

describe('the sign-in return path', () => {
  it('keeps paths on this site and defaults to the console’s start', () => {
    expect(parseReturnPath(null)).toBe('/');
    expect(parseReturnPath('')).toBe('/');
    expect(parseReturnPath('/#/bookings?week=2026-12-07')).toBe('/#/bookings?week=2026-12-07');
  });

  it('refuses anything that could leave the site, control characters and overlong paths', () => {
    for (const value of [
      '//evil.example',
      'https://evil.example/',
      '/\\evil.example',
      'bookings',
      '/a\u0000b',
      '/\u202Eevil',
      `/${'a'.repeat(500)}`,
    ]) {
      expect(
        fieldOf(() => parseReturnPath(value)),
        value,
      ).toBe('BAD_USER_INPUT:return');
    }
  });
});

describe('the session cookie', () => {
  it('reads the named cookie among others and ignores values that are not a token', () => {
    expect(cookieValue({ cookie: 'a=1; kyoyo_session=abc_DEF-123; b=2' }, 'kyoyo_session')).toBe('abc_DEF-123');
    expect(cookieValue({ cookie: 'kyoyo_session_x=1' }, 'kyoyo_session')).toBeUndefined();
    expect(cookieValue({ cookie: 'kyoyo_session=a"b' }, 'kyoyo_session')).toBeUndefined();
    expect(cookieValue({}, 'kyoyo_session')).toBeUndefined();
  });
});

describe('the sign-in error page', () => {
  it('shows the code and escapes what the provider said', () => {
    const html = signInErrorPage(new DomainError(ErrorCode.UNAUTHENTICATED, 'refused (<script>alert(1)</script>)'), 'rid-1');
    expect(html).toContain('data-code="UNAUTHENTICATED"');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('rid-1');
  });
});
