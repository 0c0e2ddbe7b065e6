/** Hands messages to SMTP (nodemailer), and reads what a refusal means for trying again. */
import nodemailer from 'nodemailer';
import type { Notification } from './notifications.types';

/** Sends one message; rejects with the transport's error when the message was not accepted. */
export interface MailSender {
  send(message: Notification): Promise<void>;
  close(): void;
}

/** What a failed attempt means: try later, give up (a bounce), or never again because it may have gone out. */
export type FailedAttempt = 'RETRY' | 'FAILED' | 'UNKNOWN';

/** The fields of a nodemailer error this reads. */
interface SmtpError {
  /** The server's answer, when it gave one. */
  responseCode?: number;
  /** `EDNS` (the host was not found), `ESOCKET`, `ECONNECTION`, `ETIMEDOUT`, … */
  code?: string;
  /** `connect` when the connection could not be opened. */
  syscall?: string;
}

/**
 * An SMTP server's refusal decides: 5xx is permanent (FAILED, the bounce is kept), 4xx temporary (RETRY).
 * Without an answer, only a host not found or a connection not opened is known to have sent nothing
 * (RETRY). Any other failure may have come after the server took the message (nodemailer reports a link
 * that drops after the message as "Connection closed unexpectedly", like one that drops before it), so it
 * is UNKNOWN: sent at most once, never handed over again.
 */
export function failedAttempt(error: unknown): FailedAttempt {
  const { responseCode, code, syscall } = (error ?? {}) as SmtpError;
  if (typeof responseCode === 'number' && responseCode >= 500) return 'FAILED';
  if (typeof responseCode === 'number' && responseCode >= 400) return 'RETRY';
  if (code === 'EDNS' || syscall === 'connect') return 'RETRY';
  return 'UNKNOWN';
}

/** The text of a failure worth keeping with the message: the server's answer when there was one. */
export function failureText(error: unknown): string {
  const { response, message } = (error ?? {}) as { response?: string; message?: string };
  return (response ?? message ?? String(error)).replace(/\s+/g, ' ').trim();
}

/** An SMTP sender: `url` as nodemailer reads it (`smtp://user:pass@host:port`, `smtps://…`), from `from`. */
export function smtpSender(url: string, from: string, institution: string): MailSender {
  const transport = nodemailer.createTransport(url, {
    from,
    // A message is handed over once: nodemailer must not queue or retry on its own.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      await transport.sendMail({
        to: message.recipient,
        subject: message.subject,
        text: message.body,
        // The same message id on every copy lets a receiving server drop a duplicate.
        messageId: `<notification-${message.id}.${institution}@kyoyo.invalid>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': message.language },
      });
    },
    close: () => transport.close(),
  };
}
