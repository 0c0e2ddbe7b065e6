/**
 * What Kyoyo writes to people, in Japanese and English: pure functions from what happened to a subject and a
 * plain-text body. Times are Japan's (Asia/Tokyo), amounts whole yen.
 */
import type { Language, NoticeKind } from './notifications.types';

/** What a message about a booking says. */
export interface BookingFacts {
  /** The booking's number at this institution. */
  id: number;
  instrumentName: string;
  /** The owning institution's name as its listings give it (or its code). */
  institutionName: string;
  start: Date;
  end: Date;
  fee: number;
  cancellationFee: number | null;
  /** The office's note with its decision, or the reason given for a cancellation. */
  note: string | null;
  /** Who made the booking (for the office's copy). */
  requesterId: string;
  requesterOrganization: string;
  /** Where the console shows the booking, when the service knows the console's address. */
  link: string | null;
}

/** What a message about a qualification says. */
export interface QualificationFacts {
  instrumentName: string;
  institutionName: string;
  /** The last valid day (Asia/Tokyo), YYYY-MM-DD. */
  expiresOn: string;
}

/** What a message about a period freed for someone waiting says. */
export interface FreedFacts {
  instrumentName: string;
  institutionName: string;
  start: Date;
  end: Date;
  /** The person's place among those waiting for the period (1: first). */
  position: number;
  link: string | null;
}

export interface RenderedNotice {
  subject: string;
  body: string;
}

const TOKYO = 'Asia/Tokyo';

const dayFormat: Record<Language, Intl.DateTimeFormat> = {
  ja: new Intl.DateTimeFormat('ja-JP', { timeZone: TOKYO, year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: TOKYO, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }),
};
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TOKYO, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A period in Japan's time, e.g. `2031年4月1日(火) 09:00–12:00（日本時間）`. */
export function periodText(start: Date, end: Date, language: Language): string {
  const sameDay = dayFormat[language].format(start) === dayFormat[language].format(end);
  const from = `${dayFormat[language].format(start)} ${timeFormat.format(start)}`;
  const to = sameDay ? timeFormat.format(end) : `${dayFormat[language].format(end)} ${timeFormat.format(end)}`;
  return language === 'ja' ? `${from}–${to}（日本時間）` : `${from}–${to} (Japan time)`;
}

/** Whole yen, e.g. `¥12,000`. */
export function yenText(amount: number): string {
  return `¥${amount.toLocaleString('en-US')}`;
}

const signature: Record<Language, string> = {
  ja: '—\nKyoyo（共用）研究設備共用ネットワーク\nこのメールは送信専用です。',
  en: '—\nKyoyo, the national research equipment sharing network\nThis address does not receive replies.',
};

function compose(lines: (string | null | false)[], language: Language): string {
  return [...lines.filter((l): l is string => typeof l === 'string'), '', signature[language]].join('\n');
}

function bookingLines(facts: BookingFacts, language: Language): string[] {
  return language === 'ja'
    ? [
        `設備: ${facts.instrumentName}（${facts.institutionName}）`,
        `日時: ${periodText(facts.start, facts.end, language)}`,
        `予約番号: ${facts.id}`,
      ]
    : [
        `Instrument: ${facts.instrumentName} (${facts.institutionName})`,
        `When: ${periodText(facts.start, facts.end, language)}`,
        `Booking number: ${facts.id}`,
      ];
}

function linkLine(link: string | null, language: Language): string | null {
  if (!link) return null;
  return language === 'ja' ? `詳細: ${link}` : `Details: ${link}`;
}

/** The message about a booking of one kind, in `language`. */
export function bookingNotice(kind: NoticeKind, facts: BookingFacts, language: Language): RenderedNotice {
  const ja = language === 'ja';
  const what = bookingLines(facts, language);
  const fee = ja ? `利用料金（予定）: ${yenText(facts.fee)}` : `Usage fee (expected): ${yenText(facts.fee)}`;
  const note = facts.note ? (ja ? `メモ: ${facts.note}` : `Note: ${facts.note}`) : null;
  const link = linkLine(facts.link, language);
  switch (kind) {
    case 'BOOKING_CONFIRMED':
      return {
        subject: ja ? `予約が確定しました: ${facts.instrumentName}` : `Booking confirmed: ${facts.instrumentName}`,
        body: compose([ja ? '予約が確定しました。' : 'Your booking is confirmed.', '', ...what, fee, link], language),
      };
    case 'BOOKING_REQUESTED':
      return {
        subject: ja
          ? `予約を申請しました（承認待ち）: ${facts.instrumentName}`
          : `Booking requested (awaiting approval): ${facts.instrumentName}`,
        body: compose(
          [
            ja
              ? 'この設備の利用には管理部署の承認が必要です。承認または却下されたらお知らせします。'
              : "This instrument's facility office approves each booking. We will write when it has decided.",
            '',
            ...what,
            fee,
            link,
          ],
          language,
        ),
      };
    case 'APPROVAL_REQUESTED':
      return {
        subject: ja
          ? `承認依頼: ${facts.instrumentName}（予約番号 ${facts.id}）`
          : `Approval requested: ${facts.instrumentName} (booking ${facts.id})`,
        body: compose(
          [
            ja ? '次の予約が承認を待っています。' : 'A booking awaits your approval.',
            '',
            ...what,
            ja
              ? `申請者: ${facts.requesterId}（${facts.requesterOrganization}）`
              : `Requested by: ${facts.requesterId} (${facts.requesterOrganization})`,
            fee,
            link,
          ],
          language,
        ),
      };
    case 'BOOKING_APPROVED':
      return {
        subject: ja ? `予約が承認されました: ${facts.instrumentName}` : `Booking approved: ${facts.instrumentName}`,
        body: compose(
          [ja ? '予約が承認され、確定しました。' : 'Your booking was approved and is confirmed.', '', ...what, fee, note, link],
          language,
        ),
      };
    case 'BOOKING_REJECTED':
      return {
        subject: ja ? `予約は承認されませんでした: ${facts.instrumentName}` : `Booking not approved: ${facts.instrumentName}`,
        body: compose(
          [
            ja
              ? '申請された予約は承認されませんでした。料金はかかりません。'
              : 'Your booking was not approved. Nothing is charged.',
            '',
            ...what,
            note,
            link,
          ],
          language,
        ),
      };
    case 'BOOKING_CANCELLED': {
      const charge = facts.cancellationFee
        ? ja
          ? `キャンセル料: ${yenText(facts.cancellationFee)}`
          : `Cancellation fee: ${yenText(facts.cancellationFee)}`
        : ja
          ? 'キャンセル料: なし'
          : 'Cancellation fee: none';
      return {
        subject: ja ? `予約がキャンセルされました: ${facts.instrumentName}` : `Booking cancelled: ${facts.instrumentName}`,
        body: compose(
          [ja ? '予約がキャンセルされました。' : 'The booking was cancelled.', '', ...what, charge, note, link],
          language,
        ),
      };
    }
    case 'BOOKING_REMINDER':
      return {
        subject: ja ? `明日のご予約: ${facts.instrumentName}` : `Tomorrow: ${facts.instrumentName}`,
        body: compose(
          [
            ja ? '明日、次の予約があります。' : 'A reminder of your booking tomorrow.',
            '',
            ...what,
            fee,
            link,
            '',
            ja
              ? 'リマインダーが不要な場合は、コンソールの予約一覧の「メール通知」で停止できます。'
              : 'You can turn reminders off under “E-mail” on the console’s bookings page.',
          ],
          language,
        ),
      };
    default:
      throw new Error(`${kind} is not a booking notice`);
  }
}

/** The notice that a qualification ends soon, in `language`. */
export function qualificationNotice(facts: QualificationFacts, language: Language): RenderedNotice {
  const ja = language === 'ja';
  return {
    subject: ja
      ? `利用資格の期限が近づいています: ${facts.instrumentName}`
      : `Qualification ending soon: ${facts.instrumentName}`,
    body: compose(
      ja
        ? [
            `${facts.instrumentName}（${facts.institutionName}）の単独利用資格は ${facts.expiresOn} まで有効です。`,
            'それ以降に単独で利用する予約には、資格の更新が必要です。設備の管理部署にお問い合わせください。',
          ]
        : [
            `Your qualification for self use of ${facts.instrumentName} (${facts.institutionName}) is valid until ${facts.expiresOn}.`,
            "Booking self use after that day needs it renewed: ask the instrument's facility office.",
          ],
      language,
    ),
  };
}

/** The notice that a period someone waits for is free, in `language`. */
export function freedNotice(facts: FreedFacts, language: Language): RenderedNotice {
  const ja = language === 'ja';
  const when = periodText(facts.start, facts.end, language);
  return {
    subject: ja ? `空きが出ました: ${facts.instrumentName}` : `A period you wait for is free: ${facts.instrumentName}`,
    body: compose(
      ja
        ? [
            `お待ちいただいていた ${facts.instrumentName}（${facts.institutionName}）の ${when} に空きが出ました。`,
            `あなたは ${facts.position} 番目にお待ちの方です。待っていた方全員に順にお知らせしており、先に予約した方が利用できます。`,
            linkLine(facts.link, language),
          ]
        : [
            `The period you wait for on ${facts.instrumentName} (${facts.institutionName}), ${when}, is free.`,
            `You were number ${facts.position} in line. Everyone waiting is told, in order; the first to book it gets it.`,
            linkLine(facts.link, language),
          ],
      language,
    ),
  };
}
