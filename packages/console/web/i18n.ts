/**
 * Japanese by default, English on request (kept in this browser). `useT()` gives the current language's
 * `t(key, values)`; keys are typed, and every key exists in both languages (messages.test.ts).
 */
import { useStore, createStore } from './store';
import { common } from './messages/common';
import { dev } from './messages/dev';
import { funder } from './messages/funder';
import { office } from './messages/office';
import { researcher } from './messages/researcher';

export type Lang = 'ja' | 'en';

export const MESSAGE_AREAS = { common, researcher, office, funder, dev };

const ja = { ...common.ja, ...researcher.ja, ...office.ja, ...funder.ja, ...dev.ja };
const en: Record<MessageKey, string> = { ...common.en, ...researcher.en, ...office.en, ...funder.en, ...dev.en };
export type MessageKey = keyof typeof ja;
const dictionaries: Record<Lang, Record<string, string>> = { ja, en };

const LANG_KEY = 'kyoyo.lang';

function storedLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ja';
  } catch {
    return 'ja';
  }
}

export const language = createStore<Lang>(storedLang());

export function setLanguage(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* storage unavailable: this page only */
  }
  document.documentElement.lang = lang;
  language.set(lang);
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** `key` in `lang`, with `{name}` placeholders filled from `values`. */
export function translate(lang: Lang, key: MessageKey, values?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? key;
  return values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : text;
}

/** Like `translate`, for keys made at run time (error codes, enum values): null when there is no such key. */
export function translateDynamic(lang: Lang, key: string): string | null {
  return dictionaries[lang][key] ?? null;
}

export function useLang(): Lang {
  return useStore(language);
}

export function useT(): Translate {
  const lang = useStore(language);
  return (key, values) => translate(lang, key, values);
}
