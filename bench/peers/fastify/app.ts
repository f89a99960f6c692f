/**
 * Fastify 5 serving the six as TechEmpower's Fastify entry does, in its strongest fair version:
 * named prepared statements through pg, a request's independent queries issued together, response
 * schemas (compiled serializers) for the JSON answers, and the Fortunes page through
 * `@fastify/view` with EJS (the baselines' template).
 */
import fastifyView from '@fastify/view';
import ejs from 'ejs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { baselineViewsDir } from '../../express/app';
import { additionalFortune, byMessage, queryCount, randomWorldId, statements, updateWorlds } from '../../schema';

interface World {
  id: number;
  randomNumber: number;
}

const world = { type: 'object', properties: { id: { type: 'integer' }, randomNumber: { type: 'integer' } } } as const;
const worlds = { type: 'array', items: world } as const;
const greeting = { type: 'object', properties: { message: { type: 'string' } } } as const;

/** The Fastify app on `pool` (call `ready()` before handing its `server` to a client). */
export function buildFastifyApp(pool: Pool): FastifyInstance {
  const findWorld = async (id: number): Promise<World> => (await pool.query<World>({ ...statements.worldById, values: [id] })).rows[0]!;
  const findWorlds = (count: number) => {
    const reads: Array<Promise<World>> = new Array(count);
    for (let i = 0; i < count; i++) reads[i] = findWorld(randomWorldId());
    return Promise.all(reads);
  };

  const app = Fastify({ logger: false });
  // Templates are compiled once and cached under NODE_ENV=production, as the driver runs it.
  void app.register(fastifyView, { engine: { ejs }, root: baselineViewsDir });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('Server', 'Fastify');
    done();
  });
  app.get('/json', { schema: { response: { 200: greeting } } }, async () => ({ message: 'Hello, World!' }));
  app.get('/plaintext', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('Hello, World!'));
  app.get('/db', { schema: { response: { 200: world } } }, () => findWorld(randomWorldId()));
  app.get<{ Querystring: { queries?: string } }>('/queries', { schema: { response: { 200: worlds } } }, (request) => findWorlds(queryCount(request.query.queries)));
  app.get('/fortunes', async (_request, reply) => {
    const fortunes = (await pool.query<{ id: number; message: string }>(statements.allFortunes)).rows;
    fortunes.push({ id: 0, message: additionalFortune });
    fortunes.sort(byMessage);
    return reply.type('text/html; charset=utf-8').view('fortunes.ejs', { fortunes });
  });
  app.get<{ Querystring: { queries?: string } }>('/updates', { schema: { response: { 200: worlds } } }, async (request) => {
    const rows = await findWorlds(queryCount(request.query.queries));
    for (const row of rows) row.randomNumber = randomWorldId();
    await pool.query(updateWorlds(rows));
    return rows;
  });
  return app;
}
