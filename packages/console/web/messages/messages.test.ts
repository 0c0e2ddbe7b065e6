import { describe, expect, it } from 'vitest';
import { MESSAGE_AREAS } from '../i18n';

describe('console messages', () => {
  const areas = Object.entries(MESSAGE_AREAS);

  it.each(areas)('%s has every key in Japanese and English, none empty', (_name, messages) => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    for (const [key, text] of [...Object.entries(messages.ja), ...Object.entries(messages.en)]) {
      expect(text.trim(), key).not.toBe('');
    }
  });

  it.each(areas)('%s keeps to its own prefix', (name, messages) => {
    const prefixes = name === 'common' ? ['common.', 'error.'] : [`${name}.`];
    for (const key of Object.keys(messages.ja))
      expect(
        prefixes.some((p) => key.startsWith(p)),
        key,
      ).toBe(true);
  });

  it.each(areas)('%s uses the same placeholders in both languages', (_name, messages) => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(messages.ja)) {
      expect(placeholders((messages.en as Record<string, string>)[key] ?? ''), key).toEqual(placeholders(text));
    }
  });
});
