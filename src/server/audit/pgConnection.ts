/**
 * How the PostgreSQL audit store reaches its database without showing credentials: the URL node-postgres gets (the
 * password file's password and the CA file put in), a description fit for logs (`host:port/db`), and errors with
 * every secret removed.
 */

/** The URL node-postgres gets: the password file's password and the CA file put in (the URL itself is never shown). */
export function connectionString(url: string, o: { password?: string; caFile?: string }): string {
  const u = new URL(url);
  if (o.password !== undefined) {
    u.password = encodeURIComponent(o.password);
  }
  if (o.caFile) {
    u.searchParams.set('sslrootcert', o.caFile);
    if (!u.searchParams.has('sslmode')) {
      u.searchParams.set('sslmode', 'verify-full');
    }
  }
  return u.toString();
}

/** `host:port/db` — no user, no password, no parameters. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** The error's message with every given secret (the URL, the password) replaced by `***`. */
export function redactError(err: unknown, secrets: Array<string | undefined>): Error {
  let message = err instanceof Error ? err.message : String(err);
  for (const secret of secrets) {
    if (secret) {
      message = message.split(secret).join('***');
    }
  }
  return new Error(message || 'unknown error');
}
