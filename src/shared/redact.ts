/**
 * The one place secrets are taken out of text bound for an answer, `/api/health` or a log line:
 * - the values of the configured secrets (tokens, passwords, TLS keys), registered at start-up with `addSecrets`:
 *   an upstream that echoes our `Authorization` header back in its error (a gateway, a proxy) must not hand
 *   PROMETHEUS_BEARER_TOKEN to the browser. Values are matched as they are and URL-encoded (the caller registers
 *   Basic auth's base64 `user:password` as a value of its own);
 * - the user info of a URL (`https://user:pass@host`);
 * - token-like query parameters of a URL (`?token=…`, `&api_key=…`), as a request URL appears in the logs.
 * Secrets shorter than 6 characters are not matched by value (they would blank ordinary words).
 *
 * The error catalog (src/shared/errors.ts) and the backend's log stream call `redact`; nothing else needs to.
 */

const REDACTED = '[redacted]';
/** Shorter values would blank ordinary words out of every message; the backend refuses such tokens off loopback. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let secretPattern: RegExp | undefined;

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** Registers secret values (undefined and short ones are skipped); PEM keys are registered line by line too. */
export function addSecrets(...values: Array<string | undefined>): void {
  for (const v of values) {
    if (v === undefined || v.length < MIN_SECRET_LENGTH) {
      continue;
    }
    for (const form of [v, encodeURIComponent(v), ...pemLines(v)]) {
      if (form.length >= MIN_SECRET_LENGTH) {
        secrets.add(form);
      }
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  const all = [...secrets].sort((a, b) => b.length - a.length);
  secretPattern = all.length > 0 ? new RegExp(all.map(escapeRegExp).join('|'), 'g') : undefined;
}

/** The body lines of a PEM block: an echo of a key rarely keeps its line breaks. */
function pemLines(v: string): string[] {
  return v.includes('-----BEGIN') ? v.split(/\r?\n/).filter((l) => l.length >= 16 && !l.startsWith('-----')) : [];
}

const USER_INFO = /\/\/[^@/\s"]*@/g;
// Names that carry credentials (`token`, `access_token`, `api_key`, `X-Amz-Signature`…); not a bare `key`, which
// PD's region API uses for region keys.
const QUERY_SECRET =
  /([?&][^=&\s"#]*(?:token|secret|password|passwd|auth|signature|credential|api_?key|access_?key)[^=&\s"#]*=)[^&\s"#]*/gi;

/** `//user:pass@host` → `//***@host`. */
export function redactUserInfo(text: string): string {
  return text.replace(USER_INFO, '//***@');
}

/** `text` without any registered secret value, URL user info or token-like query parameter value. */
export function redact(text: string): string {
  let out = secretPattern ? text.replace(secretPattern, REDACTED) : text;
  out = out.replace(USER_INFO, '//***@');
  return out.replace(QUERY_SECRET, `$1${REDACTED}`);
}
