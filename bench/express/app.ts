/**
 * The strict baseline: the six endpoints on bare Express 5, pg and EJS, written as TechEmpower's
 * own Express entry is. Named prepared statements (parsed and planned once per connection), and a
 * request's independent queries issued together: `/queries` sends its N reads at once, `/updates`
 * its N reads, then its N writes as one statement. Responses go through Express's own `res.json` and `res.send`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import express, { type Express } from 'express';
import type { Pool } from 'pg';
import { additionalFortune, byMessage, queryCount, randomWorldId, statements, updateWorlds } from '../schema';

interface World {
  id: number;
  randomNumber: number;
}

/** The baselines' Fortunes template, found from the project root so the compiled copy (tmp/bench-dist) reads the same file. */
export const baselineViewsDir = path.join(__dirname.replace(/tmp\/bench-dist\//, ''), 'views');

/** The strict bare-Express app on `pool`. */
export function buildExpressApp(pool: Pool): Express {
  const fortunesTemplate = ejs.compile(fs.readFileSync(path.join(baselineViewsDir, 'fortunes.ejs'), 'utf8'));
  const findWorld = async (id: number): Promise<World> => (await pool.query<World>({ ...statements.worldById, values: [id] })).rows[0]!;
  const findWorlds = (count: number) => {
    const reads: Array<Promise<World>> = new Array(count);
    for (let i = 0; i < count; i++) reads[i] = findWorld(randomWorldId());
    return Promise.all(reads);
  };

  const app = express();
  app.disable('x-powered-by');
  // As TechEmpower's entry: no ETag (a hash of every body) on answers that change each time.
  app.disable('etag');
  app.use((_req, res, next) => {
    res.setHeader('Server', 'Express');
    next();
  });
  app.get('/json', (_req, res) => {
    res.json({ message: 'Hello, World!' });
  });
  app.get('/plaintext', (_req, res) => {
    res.type('text/plain').send('Hello, World!');
  });
  app.get('/db', async (_req, res) => {
    res.json(await findWorld(randomWorldId()));
  });
  app.get('/queries', async (req, res) => {
    res.json(await findWorlds(queryCount(req.query.queries)));
  });
  app.get('/fortunes', async (_req, res) => {
    const fortunes = (await pool.query<{ id: number; message: string }>(statements.allFortunes)).rows;
    fortunes.push({ id: 0, message: additionalFortune });
    fortunes.sort(byMessage);
    res.type('html').send(fortunesTemplate({ fortunes }));
  });
  app.get('/updates', async (req, res) => {
    const worlds = await findWorlds(queryCount(req.query.queries));
    for (const world of worlds) world.randomNumber = randomWorldId();
    await pool.query(updateWorlds(worlds));
    res.json(worlds);
  });
  return app;
}
