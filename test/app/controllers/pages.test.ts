import request from 'supertest';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';

const t = useTestApp();

describe('the notes’ pages', () => {
  test('GET / greets and links to every page', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Hello, Seven</h1>');
    for (const href of ['/index/', '/index1/', '/login/']) expect(res.text).toContain(`href="${href}"`);
    expect(res.text).toMatch(/<link rel="stylesheet" href="\/css\/app\.css\?v=[0-9a-f]{10}">/);
  });

  test.each(['/index/', '/index'])('GET %s serves the static page', async (path) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Index</h1>');
    expect(res.text).toContain('<title>A static page · Trestle</title>');
  });

  test.each(['/index1/', '/index1'])('GET %s renders the name and the users from the table', async (path) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Hello, John Doe</h1>');
    const users = await User.alphabetical();
    const links = [...res.text.matchAll(/<li><a href="([^"]+)">(\w+)<\/a><\/li>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual(users.map((u) => [`/users/${u.id}`, u.name]));
    expect(links.map((l) => l[1])).toEqual(['alex', 'eric']);
    expect(res.text).not.toContain('@example.com'); // emails are their owner's alone
  });

  test('GET /index1/ shows a user added to the table, and escapes its name', async () => {
    await t.knex('users').insert({ name: '<script>alert(1)</script>', email: 'mallory@example.com' });
    const res = await request(t.app).get('/index1/');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await t.knex('users').where({ email: 'mallory@example.com' }).delete();
  });

  test('GET /index1/ with Accept: application/json answers the same data as JSON', async () => {
    const res = await request(t.app).get('/index1/').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.name).toBe('John Doe');
    expect(res.body.users.map((u: { name: string }) => u.name)).toEqual(['alex', 'eric']);
    const rows = await User.alphabetical();
    expect(res.body.users.map((u: { id: number }) => u.id)).toEqual(rows.map((u) => u.id));
    // The public view of a user: no email, to anyone.
    expect(res.body.users[0]).toEqual({ id: rows[0]!.id, name: 'alex', posts_count: 1 });
    expect(res.text).not.toContain('@example.com');
  });

  test('GET /login/ shows the sign-in form', async () => {
    const res = await request(t.app).get('/login/');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<form class="form" method="post" action="\/login\/"><input type="hidden" name="_csrf" value="[0-9a-f]{64}">/);
    expect(res.text).toMatch(/<input id="session_email" name="email" type="email" value=""/);
    expect(res.text).toMatch(/<input id="session_password" name="password" type="password" value=""/);
  });

  test('an unknown URL is a real 404 page', async () => {
    const res = await request(t.app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Page not found</h1>');
    expect(res.text).toContain('<code>/no/such/page</code>');
  });

  test('an unknown URL asked for as JSON is problem+json', async () => {
    const res = await request(t.app).get('/no/such/page').set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'The page you were looking for does not exist.',
      instance: '/no/such/page',
    });
  });

  test('the 404 page escapes the URL it echoes', async () => {
    const res = await request(t.app).get('/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('<script>alert(1)');
  });

  test('a wrong method on a known path is a 404, not a 500', async () => {
    const res = await request(t.app).delete('/index1/');
    expect(res.status).toBe(404);
  });

  test('the stylesheet is served from public/ and dotfiles are not', async () => {
    const css = await request(t.app).get('/css/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const dot = await request(t.app).get('/.env');
    expect(dot.status).toBe(404);
  });

  test('responses do not advertise the framework', async () => {
    const res = await request(t.app).get('/');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
