/** A time as people read it in mail: Japan time for Japanese, UTC for English. */
export function formatMailTime(date: Date, language: 'ja' | 'en'): string {
  if (language === 'ja') {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('ja-JP', {
        timeZone: 'Asia/Tokyo',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(date)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}年${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}（日本時間）`;
  }
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A duration in whole days (rounded down, at least 1) or hours, for "valid for …". */
export function formatValidity(ms: number, language: 'ja' | 'en'): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 1) return language === 'ja' ? `${days}日間` : `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  return language === 'ja' ? `${hours}時間` : `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** A rendered mail: subject, text and HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The footer of every mail. */
export function footer(language: 'ja' | 'en'): string {
  return language === 'ja'
    ? 'このメールは送信専用アドレスから送信しています。ご返信いただいてもお答えできません。\nInkan 電子契約'
    : 'This message was sent from a no-reply address; replies are not read.\nInkan electronic contracts';
}
