import type { Bilingual } from './types';

/** Messages of the development pages (the mailbox of `npm start`). Keys start with `dev.`. */
export const dev = {
  ja: {
    'dev.nav.mailbox': 'メールボックス',
    'dev.mailbox.title': 'メールボックス（開発用）',
    'dev.mailbox.lead':
      'デモの各機関が送信したメールをすべて受け取る開発用のメールボックスです。実際には配信されません。5 秒ごとに更新します。',
    'dev.mailbox.to': '宛先',
    'dev.mailbox.toHint': 'メールアドレスで絞り込みます。空欄ならすべて表示します。',
    'dev.mailbox.filter': '絞り込む',
    'dev.mailbox.refresh': '更新',
    'dev.mailbox.count': '{count} 通',
    'dev.mailbox.empty': 'メールはまだありません。',
    'dev.mailbox.emptyTo': '{to} 宛てのメールはまだありません。',
    'dev.mailbox.receivedAt': '受信日時',
    'dev.mailbox.from': '差出人',
    'dev.mailbox.noSubject': '（件名なし）',
    'dev.mailbox.noText': '（テキスト本文なし）',
    'dev.mailbox.absent': 'このゲートウェイには開発用メールボックスがありません（npm start で起動すると使えます）。',
    'dev.mailbox.unreachable': 'メールボックスに接続できません: {message}',
  },
  en: {
    'dev.nav.mailbox': 'Mailbox',
    'dev.mailbox.title': 'Mailbox (development)',
    'dev.mailbox.lead':
      "The development mailbox receives every e-mail the demo's institutions send; nothing is delivered for real. It refreshes every 5 seconds.",
    'dev.mailbox.to': 'Recipient',
    'dev.mailbox.toHint': 'Filters by e-mail address; leave it empty to see every message.',
    'dev.mailbox.filter': 'Filter',
    'dev.mailbox.refresh': 'Refresh',
    'dev.mailbox.count': '{count} messages',
    'dev.mailbox.empty': 'No messages yet.',
    'dev.mailbox.emptyTo': 'No messages to {to} yet.',
    'dev.mailbox.receivedAt': 'Received',
    'dev.mailbox.from': 'From',
    'dev.mailbox.noSubject': '(no subject)',
    'dev.mailbox.noText': '(no plain-text body)',
    'dev.mailbox.absent': 'This gateway has no development mailbox (npm start runs one).',
    'dev.mailbox.unreachable': 'The mailbox cannot be reached: {message}',
  },
} satisfies Bilingual;
