import { describe, expect, it } from 'vitest';
import { failedAttempt, failureText } from './mail-sender';

describe('failedAttempt', () => {
  it('retries what the server deferred or what never reached it; fails a refusal; is unsure of a dropped link', () => {
    expect(failedAttempt({ responseCode: 451, response: '451 4.2.0 try later' })).toBe('RETRY');
    expect(failedAttempt({ responseCode: 421 })).toBe('RETRY');
    expect(failedAttempt({ responseCode: 550 })).toBe('FAILED');
    expect(failedAttempt({ responseCode: 554, command: 'DATA' })).toBe('FAILED');
    expect(failedAttempt({ code: 'ESOCKET', syscall: 'connect', command: 'CONN' })).toBe('RETRY');
    expect(failedAttempt({ code: 'EDNS', command: 'CONN' })).toBe('RETRY');
    // nodemailer reports a link that drops after the message as CONN too: perhaps delivered.
    expect(failedAttempt({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' })).toBe('UNKNOWN');
    expect(failedAttempt({ code: 'ETIMEDOUT' })).toBe('UNKNOWN');
    expect(failedAttempt(new Error('something else'))).toBe('UNKNOWN');
    expect(failedAttempt(null)).toBe('UNKNOWN');
  });

  it('keeps the server’s answer, on one line', () => {
    expect(failureText({ response: '550 5.1.1\n  no such user', message: 'Message failed' })).toBe('550 5.1.1 no such user');
    expect(failureText(new Error('Connection closed'))).toBe('Connection closed');
  });
});
