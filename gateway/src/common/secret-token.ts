/**
 * Secrets handed to a browser or a calendar application (session cookies, feed URLs): 256 random bits as
 * base64url, stored only as their SHA-256, so that the database never holds a working secret.
 */
import { createHash, randomBytes } from 'node:crypto';

export const newSecretToken = (): string => randomBytes(32).toString('base64url');

/** A secret's stored form. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');
