/**
 * PD-HTTP faults: for chosen path prefixes PD answers late, never, with a 500, with garbage JSON or with a body cut
 * short — so clients can be tested against a misbehaving PD.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const PD_FAULT_KINDS = ['delay', 'hang', 'error', 'garbage', 'truncate'] as const;

/** Body of `POST /sim/pd-faults`. */
export const PdFaultSchema = z.object({
  /** Path prefix, absolute (`/pd/api/v1/stores`) or relative to `/pd/api/v1` (`/stores`). */
  path: z.string().startsWith('/'),
  kind: z.enum(PD_FAULT_KINDS),
  /** Added delay for `delay` (ms). */
  delay_ms: z.number().int().min(0).max(600_000).optional(),
});
export type PdFault = z.infer<typeof PdFaultSchema>;

export const PD_PREFIX = '/pd/api/v1';

export class PdFaults {
  private faults: PdFault[] = [];
  private readonly hanging = new Set<() => void>();

  add(f: PdFault): PdFault {
    const path = f.path.startsWith('/pd/') ? f.path : `${PD_PREFIX}${f.path}`;
    const fault = { ...f, path };
    this.faults.push(fault);
    return fault;
  }

  list(): PdFault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
    this.releaseHanging();
  }

  /** Frees requests held by `hang` (their sockets are destroyed, as when a hung PD is killed). */
  releaseHanging(): void {
    for (const release of this.hanging) {
      release();
    }
    this.hanging.clear();
  }

  private match(url: string): PdFault | undefined {
    const path = url.split('?')[0];
    return this.faults.find((f) => path.startsWith(f.path));
  }

  /** Installs the hooks on the PD scope. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const f = this.match(req.url);
      if (!f) {
        return;
      }
      if (f.kind === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, f.delay_ms ?? 1000));
      } else if (f.kind === 'hang') {
        reply.hijack();
        await new Promise<void>((resolve) => {
          const release = () => {
            reply.raw.destroy();
            resolve();
          };
          this.hanging.add(release);
          reply.raw.on('close', () => {
            this.hanging.delete(release);
            resolve();
          });
        });
      } else if (f.kind === 'error') {
        return reply
          .code(500)
          .header('content-type', 'application/json; charset=UTF-8')
          .send('"[PD:apiutil:ErrInternal]simulated internal error"\n');
      }
    });
    app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const f = this.match(req.url);
      if (!f || reply.statusCode >= 400) {
        return payload;
      }
      if (f.kind === 'garbage') {
        reply.code(200).header('content-type', 'application/json; charset=UTF-8');
        return '{"count": 3, "stores": [{"store": {"id": 1,, "address": tikv}]<html>';
      }
      if (f.kind === 'truncate' && typeof payload === 'string') {
        // Announce the full length, send half, then drop the connection: the client sees a premature close.
        const full = Buffer.from(payload);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(reply.statusCode, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-length': String(full.length),
        });
        raw.write(full.subarray(0, Math.floor(full.length / 2)), () => raw.destroy());
        return null;
      }
      return payload;
    });
  }
}
