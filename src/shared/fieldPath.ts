/**
 * One way to name a field in an error, for request and upstream answers alike: a zod issue path (or a JSON pointer
 * from fastify) as `queries[1].observation`, `stores[2].status.capacity`, `keys[0]`; '' for the root.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * fastify's `instancePath` (`/queries/1/observation`; fastify-type-provider-zod joins the zod path with `/`,
 * unescaped) → `queries[1].observation`.
 */
export function fieldPathOfPointer(pointer: string): string {
  return fieldPath(
    pointer
      .split('/')
      .filter(Boolean)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
  );
}
