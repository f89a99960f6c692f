/** The baseline: the same six endpoints on bare Express 5, pg and EJS, with no framework. */
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import express from 'express';
import { Pool } from 'pg';
import { queryCount, randomWorldId } from '../schema';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 16) });
// Found from the project root, so the compiled copy (tmp/bench-dist) reads the same file.
const fortunesTemplate = ejs.compile(fs.readFileSync(path.join(__dirname.replace(/tmp\/bench-dist\//, ''), 'views', 'fortunes.ejs'), 'utf8'));
const findWorld = async () => (await pool.query('SELECT id, "randomNumber" FROM world WHERE id = $1', [randomWorldId()])).rows[0];

const app = express();
app.disable('x-powered-by');
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
  res.json(await findWorld());
});
app.get('/queries', async (req, res) => {
  const worlds = [];
  for (let i = queryCount(req.query.queries); i > 0; i--) worlds.push(await findWorld());
  res.json(worlds);
});
app.get('/fortunes', async (_req, res) => {
  const fortunes = (await pool.query('SELECT id, message FROM fortune')).rows;
  fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
  fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  res.type('html').send(fortunesTemplate({ fortunes }));
});
app.get('/updates', async (req, res) => {
  const worlds = [];
  for (let i = queryCount(req.query.queries); i > 0; i--) {
    const world = await findWorld();
    world.randomNumber = randomWorldId();
    worlds.push(world);
  }
  for (const world of worlds) await pool.query('UPDATE world SET "randomNumber" = $1 WHERE id = $2', [world.randomNumber, world.id]);
  res.json(worlds);
});

const server = app.listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
// The benchmark is over when this arrives: stop at once.
process.once('SIGTERM', () => process.exit(0));
