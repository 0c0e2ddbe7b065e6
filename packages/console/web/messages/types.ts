/** One area's messages in both languages: the same keys in each (a unit test checks). */
export interface Bilingual {
  ja: Record<string, string>;
  en: Record<string, string>;
}
