/**
 * Secrets must never reach stdout or stderr. Every message that may carry user-supplied text passes
 * through redact(); sources also register the secrets they read so that an error quoting them
 * (a driver echoing a connection string, say) is cleaned as well.
 */
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 3) knownSecrets.add(value);
}

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;
const KEY_VALUE_SECRET = /\b(password|passwd|pwd|token|api[_-]?key|apikey|secret|integration[_-]?key|routing[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi;
const WEBHOOK_URL = /https?:\/\/[^\s"']*(hooks\.slack\.com|webhook\.office\.com|outlook\.office\.com|\/webhook)[^\s"']*/gi;

export const REDACTED = '***';

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(KEY_VALUE_SECRET, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(WEBHOOK_URL, REDACTED);
}

/** A connection string or URL with its password removed, for messages that must name the target. */
export function redactUrl(url: string): string {
  return redact(url);
}
