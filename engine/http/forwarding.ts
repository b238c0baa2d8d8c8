import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context';
import { UpstreamUrlError } from '../forward/upstreams';
import type { ForwardingView } from '../../shared/api';
import { HttpError } from './errors';
import { parseWith } from './query';

const addBody = z.object({ url: z.string().trim().min(1, 'must not be empty').max(2048) });
const idParam = z.object({ id: z.string().min(1).max(64) });

/** The upstreams: their state, and adding or removing those of the dashboard. */
export function registerForwarding(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/forwarding', async (): Promise<ForwardingView> => ({ upstreams: ctx.forwarding.list() }));

  app.post('/api/forwarding', async (req, reply) => {
    const { url } = parseWith(addBody, req.body ?? {}, 422);
    try {
      return reply.status(201).send(ctx.forwarding.add(url));
    } catch (err) {
      if (err instanceof UpstreamUrlError) throw new HttpError(422, `url: ${err.message}`);
      throw err;
    }
  });

  app.delete('/api/forwarding/:id', async (req, reply) => {
    const { id } = parseWith(idParam, req.params);
    await ctx.forwarding.remove(id);
    return reply.status(204).send();
  });
}
