import { isInstitutionCode } from '@kyoyo/domain';
import type { RegisteredInstitution } from './registry.types';

/**
 * The 47 prefectures as the registry spells them (JIS X 0401 order). Search filters and facets match an
 * institution's prefecture exactly (`filter.prefectures`), so an entry must use one of these spellings.
 */
export const PREFECTURES = [
  '北海道',
  '青森県',
  '岩手県',
  '宮城県',
  '秋田県',
  '山形県',
  '福島県',
  '茨城県',
  '栃木県',
  '群馬県',
  '埼玉県',
  '千葉県',
  '東京都',
  '神奈川県',
  '新潟県',
  '富山県',
  '石川県',
  '福井県',
  '山梨県',
  '長野県',
  '岐阜県',
  '静岡県',
  '愛知県',
  '三重県',
  '滋賀県',
  '京都府',
  '大阪府',
  '兵庫県',
  '奈良県',
  '和歌山県',
  '鳥取県',
  '島根県',
  '岡山県',
  '広島県',
  '山口県',
  '徳島県',
  '香川県',
  '愛媛県',
  '高知県',
  '福岡県',
  '佐賀県',
  '長崎県',
  '熊本県',
  '大分県',
  '宮崎県',
  '鹿児島県',
  '沖縄県',
] as const;

/** A registry entry as an operator types it (`registry add`): every value a string, as given on the command line. */
export interface RegistryEntryInput {
  code?: string;
  name?: string;
  nameEn?: string;
  prefecture?: string;
  latitude?: string;
  longitude?: string;
  serviceUrl?: string;
}

/** What is wrong with one value: the command-line option it came from and why. */
export interface EntryProblem {
  option: string;
  message: string;
}

const NAME_MAX = 200;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
// Control characters (C0, DEL, C1) have no place in a name shown on every search page.
const CONTROL = /\p{Cc}/u;

function nameProblem(value: string | undefined, required: boolean): string | null {
  if (value === undefined || value.trim() === '') return required ? 'is required' : null;
  if (value.trim().length > NAME_MAX) return `is longer than ${NAME_MAX} characters`;
  if (CONTROL.test(value)) return 'holds control characters';
  return null;
}

function coordinate(value: string | undefined, limit: number): number | string {
  if (value === undefined || value.trim() === '') return 'is required';
  const number = Number(value.trim());
  if (!NUMBER.test(value.trim()) || !Number.isFinite(number)) return `must be a decimal number (degrees), not ${value}`;
  if (Math.abs(number) > limit) return `must be from -${limit} to ${limit}, not ${value}`;
  return number;
}

/**
 * The base URL of an institution's service as the gateway uses it: an http(s) origin. The gateway calls
 * `new URL('/graphql', serviceUrl)`, which drops any path, so a path, query or credentials are refused rather
 * than silently ignored.
 */
function serviceUrlOf(value: string | undefined): string | { problem: string } {
  if (value === undefined || value.trim() === '') return { problem: 'is required' };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { problem: `${value} is not a URL (e.g. https://kyoyo.example.ac.jp or http://10.0.0.5:4100)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: `must be http:// or https://, not ${url.protocol}//` };
  if (url.username || url.password) return { problem: 'must not carry a user name or password' };
  if (url.pathname !== '/' || url.search || url.hash) {
    return { problem: `must be the service's origin only (the gateway calls ${url.origin}/graphql), without a path or query` };
  }
  return url.origin;
}

function prefectureProblem(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return 'is required';
  const given = value.trim();
  if ((PREFECTURES as readonly string[]).includes(given)) return null;
  const meant = PREFECTURES.find((p) => p.replace(/[都道府県]$/, '') === given);
  return meant
    ? `must be spelled as the registry spells it: ${meant}`
    : `${given} is not one of the 47 prefectures (e.g. 宮城県, 東京都)`;
}

/**
 * Checks a registry entry typed by an operator and builds it, or lists every problem by option. The code follows
 * the same rule as the service's `INSTITUTION_CODE` (`isInstitutionCode`): it is the audience of the gateway's
 * tokens, so the registry and the service must agree on it exactly.
 */
export function parseRegistryEntry(input: RegistryEntryInput): { entry: RegisteredInstitution } | { problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const code = input.code?.trim() ?? '';
  if (!code) problems.push({ option: '--code', message: 'is required' });
  else if (!isInstitutionCode(code)) {
    problems.push({
      option: '--code',
      message: `${code} is not an institution code: 2–40 lower-case letters, digits and hyphens, not starting or ending with a hyphen (e.g. tohoku-u)`,
    });
  }
  const name = nameProblem(input.name, true);
  if (name) problems.push({ option: '--name', message: name });
  const nameEn = nameProblem(input.nameEn, false);
  if (nameEn) problems.push({ option: '--name-en', message: nameEn });
  const prefecture = prefectureProblem(input.prefecture);
  if (prefecture) problems.push({ option: '--prefecture', message: prefecture });
  const latitude = coordinate(input.latitude, 90);
  if (typeof latitude === 'string') problems.push({ option: '--latitude', message: latitude });
  const longitude = coordinate(input.longitude, 180);
  if (typeof longitude === 'string') problems.push({ option: '--longitude', message: longitude });
  const serviceUrl = serviceUrlOf(input.serviceUrl);
  if (typeof serviceUrl !== 'string') problems.push({ option: '--service-url', message: serviceUrl.problem });
  if (problems.length > 0) return { problems };
  return {
    entry: {
      code,
      name: input.name!.trim(),
      nameEn: input.nameEn?.trim() || null,
      prefecture: input.prefecture!.trim(),
      location: { latitude: latitude as number, longitude: longitude as number },
      serviceUrl: serviceUrl as string,
    },
  };
}
