import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { Controller, createApp, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { openTestDatabase } from '../support/app';
import { testLogger } from '../support/logger';

/** Answers which action ran and with which parameters, so each test sees what the URL table chose. */
class ThingsController extends Controller {
  async show() {
    this.json({ action: 'show', params: this.params });
  }

  async fresh() {
    this.json({ action: 'fresh', params: this.params });
  }

  async update() {
    this.json({ action: 'update', params: this.params });
  }

  async files() {
    this.json({ action: 'files', params: this.params });
  }
}

const routes = defineRoutes((r) => {
  // A pattern drawn before a plain path wins, as the table reads top to bottom...
  r.get('/items/:id', ThingsController, 'show', { name: 'items.show' });
  r.get('/items/new', ThingsController, 'fresh', { name: 'items.new' });
  // ...and a plain path drawn first wins over the pattern after it.
  r.get('/things/new', ThingsController, 'fresh');
  r.get('/things/:id', ThingsController, 'show');
  r.patch('/things/:id', ThingsController, 'update');
  r.get('/plain/', ThingsController, 'fresh', { name: 'plain' });
  r.get('/owners/:ownerId/things/:id', ThingsController, 'show', { name: 'owner_things.show' });
  r.get('/files/*path', ThingsController, 'files');
});

let db: Database;
let app: TrestleApp;

beforeAll(async () => {
  db = await openTestDatabase();
  app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'production' }, logger: testLogger() });
});

afterAll(() => db.close());

describe('matching a request to the URL table', () => {
  test('the first route in table order wins, whether plain path or pattern', async () => {
    expect((await request(app).get('/items/new')).body).toEqual({ action: 'show', params: { id: 'new' } });
    expect((await request(app).get('/things/new')).body).toEqual({ action: 'fresh', params: {} });
    expect((await request(app).get('/things/7')).body).toEqual({ action: 'show', params: { id: '7' } });
  });

  test('parameters are percent-decoded, and several are read from one path', async () => {
    expect((await request(app).get('/things/caf%C3%A9')).body.params).toEqual({ id: 'café' });
    expect((await request(app).get('/things/a%2Fb')).body.params).toEqual({ id: 'a/b' });
    expect((await request(app).get('/owners/3/things/9')).body.params).toEqual({ ownerId: '3', id: '9' });
    expect((await request(app).get('/files/docs/guide.txt')).body.params).toEqual({ path: ['docs', 'guide.txt'] });
  });

  test('one trailing slash is optional; case and extra segments are not', async () => {
    expect((await request(app).get('/plain')).status).toBe(200);
    expect((await request(app).get('/plain/')).status).toBe(200);
    expect((await request(app).get('/things/7/')).body.params).toEqual({ id: '7' });
    expect((await request(app).get('/Things/7')).status).toBe(404);
    expect((await request(app).get('/things/7/extra')).status).toBe(404);
    expect((await request(app).get('/plain//')).status).toBe(404);
  });

  test('HEAD is answered by the GET route, headers without a body', async () => {
    const response = await request(app).head('/things/7');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.text).toBeUndefined();
  });

  test('a method the path has no route for is a 404 problem', async () => {
    const response = await request(app).delete('/things/7').set('Accept', 'application/json');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, title: 'Not Found' });
  });

  test('OPTIONS lists the methods the path answers in Allow', async () => {
    const response = await request(app).options('/things/7');
    expect(response.status).toBe(200);
    expect(response.headers.allow).toBe('GET, HEAD, PATCH');
    expect(response.text).toBe('GET, HEAD, PATCH');
    expect((await request(app).options('/nowhere')).status).toBe(404);
  });

  test('mounted under a prefix in another Express app, it routes the rest of the path and passes on what it does not know', async () => {
    const outer = express();
    outer.use('/v1', app);
    outer.get('/v1/elsewhere', (_request, response) => void response.send('the outer app'));
    expect((await request(outer).get('/v1/things/5')).body).toEqual({ action: 'show', params: { id: '5' } });
    const passedOn = await request(outer).get('/v1/elsewhere');
    expect(passedOn.status).toBe(200);
    expect(passedOn.text).toBe('the outer app');
    // Nobody answers: the outer app's own 404, not Trestle's page.
    const missing = await request(outer).get('/v1/nowhere').set('Accept', 'application/json');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).not.toContain('problem+json');
  });
});
