import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import { decodeGlobalId, encodeGlobalId, isInstitutionCode } from './ids';

describe('global ids', () => {
  it('round-trip kind, institution and local id, including colons and Japanese in the local id', () => {
    for (const localId of ['42', '0b7c-uuid:with:colons', '装置-1']) {
      const id = encodeGlobalId('Instrument', 'tohoku-u', localId);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeGlobalId(id, 'Instrument')).toEqual({ kind: 'Instrument', institution: 'tohoku-u', localId });
    }
  });

  it('are stable: the same triple always encodes the same way', () => {
    expect(encodeGlobalId('Booking', 'kyoto-u', '7')).toBe(encodeGlobalId('Booking', 'kyoto-u', '7'));
    expect(encodeGlobalId('Booking', 'kyoto-u', '7')).not.toBe(encodeGlobalId('Booking', 'kyoto-u', '8'));
  });

  it('answer BAD_USER_INPUT on the named field for malformed strings', () => {
    const notIds = [
      '',
      'not base64!',
      Buffer.from('Instrument:tohoku-u').toString('base64url'),
      Buffer.from('Gadget:tohoku-u:1').toString('base64url'),
      Buffer.from('Instrument:Tohoku U:1').toString('base64url'),
      Buffer.from('Instrument:tohoku-u:').toString('base64url'),
      'x'.repeat(401),
    ];
    for (const id of notIds) {
      expect(() => decodeGlobalId(id, 'Instrument', 'input.instrumentId'), id).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'input.instrumentId' }),
      );
    }
  });

  it('answer BAD_USER_INPUT for a non-canonical spelling of a valid id', () => {
    const id = encodeGlobalId('Instrument', 'tohoku-u', '12');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 22 bytes take 30 characters, leaving 4 unused bits in the last one: setting one decodes the same.
    const sibling = id.slice(0, -1) + alphabet[alphabet.indexOf(id.at(-1) ?? '') + 1];
    expect(Buffer.from(sibling, 'base64url').toString('utf8')).toBe('Instrument:tohoku-u:12');
    expect(() => decodeGlobalId(sibling, 'Instrument')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
  });

  it('answer NOT_FOUND for a well-formed id of another kind', () => {
    const bookingId = encodeGlobalId('Booking', 'tohoku-u', '1');
    expect(() => decodeGlobalId(bookingId, 'Instrument')).toThrow(
      expect.objectContaining({ code: ErrorCode.NOT_FOUND, field: 'id' }),
    );
  });

  it('cannot be built from a malformed institution code', () => {
    expect(isInstitutionCode('tohoku-u')).toBe(true);
    expect(isInstitutionCode('-bad')).toBe(false);
    expect(() => encodeGlobalId('Instrument', 'Tohoku', '1')).toThrow();
  });
});
