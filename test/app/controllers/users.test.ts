import request from 'supertest';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';
import { createUser, csrfFrom, signIn, signInJson, testPassword } from '../../support/auth';

const t = useTestApp();
const json = 'application/json';

async function userId(name: string): Promise<number> {
  return (await User.findBy({ name }))!.id;
}

/** A fresh agent holding the sign-up form's CSRF token. */
async function signUpForm() {
  const agent = request.agent(t.app);
  const form = await agent.get('/signup');
  return { agent, csrf: csrfFrom(form.text) };
}

describe('users, as HTML', () => {
  test('GET /users lists users alphabetically with links', async () => {
    const res = await request(t.app).get('/users');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Users</h1>');
    expect(res.text).toContain(`<a href="/users/${await userId('alex')}">alex</a>`);
    expect(res.text.indexOf('>alex<')).toBeLessThan(res.text.indexOf('>eric<'));
  });

  test('GET /users/:id shows the user and their posts, without edit buttons for visitors', async () => {
    const id = await userId('alex');
    const res = await request(t.app).get(`/users/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`<h1><img class="avatar" src="/users/${id}/avatar"[^>]*> alex</h1>`));
    expect(res.text).toContain('The essence of a web framework');
    expect(res.text).not.toContain(`/users/${id}/edit`);
    expect(res.text).not.toContain('name="_method" value="DELETE"');
  });

  test('GET /signup and /users/new show the sign-up form', async () => {
    for (const path of ['/signup', '/users/new']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Sign up</h1>');
      expect(res.text).toMatch(/<form class="form" method="post" action="\/users"><input type="hidden" name="_csrf" value="[0-9a-f]{64}">/);
      expect(res.text).toContain('<input id="user_password" name="password" type="password" value=""');
    }
  });

  test('signing up creates the account, signs in, and shows the welcome once', async () => {
    const { agent, csrf } = await signUpForm();
    const res = await agent.post('/users').type('form').send({ _csrf: csrf, name: 'Nina', email: 'nina@example.com', password: 'nina-password' });
    const row = await t.knex('users').where({ email: 'nina@example.com' }).first();
    expect(row).toMatchObject({ name: 'Nina' });
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${row.id}`);
    const shown = await agent.get(res.headers.location!);
    expect(shown.text).toContain('Welcome, Nina! Your account is ready.');
    expect(shown.text).toContain('<a class="me" href="/users/' + row.id + '">Nina</a>');
    expect(shown.text).toContain(`href="/users/${row.id}/edit"`);
    const again = await agent.get(res.headers.location!);
    expect(again.text).not.toContain('Welcome, Nina!');
  });

  test('an invalid sign-up comes back with 422, the input kept (never the password) and each field’s message', async () => {
    const before = await User.count();
    const { agent, csrf } = await signUpForm();
    const res = await agent.post('/users').type('form').send({ _csrf: csrf, name: '', email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please correct 3 errors below.');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).not.toContain('value="short"');
    expect(res.text).toContain('<p class="field-error" id="user_name_error">Name can&#39;t be blank</p>');
    expect(res.text).toContain('<p class="field-error" id="user_email_error">Email is not a valid email address</p>');
    expect(res.text).toContain('<p class="field-error" id="user_password_error">Password is too short (at least 8 characters)</p>');
    expect(await User.count()).toBe(before);
  });

  test('a taken email re-renders the form with the message on email', async () => {
    const { agent, csrf } = await signUpForm();
    const res = await agent.post('/users').type('form').send({ _csrf: csrf, name: 'Alex Two', email: 'alex@example.com', password: testPassword });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Email has already been taken');
    expect(res.text).toContain('value="Alex Two"');
  });

  test('a sign-up form without its CSRF token is refused and writes nothing', async () => {
    const res = await request(t.app).post('/users').type('form').send({ name: 'Forged', email: 'forged@example.com', password: testPassword });
    expect(res.status).toBe(403);
    expect(await User.exists({ email: 'forged@example.com' })).toBe(false);
  });

  test('editing: your own form is filled in as a PATCH; someone else’s is a 403; a visitor is sent to sign in', async () => {
    const me = await createUser({ name: 'Olga' });
    const { agent } = await signIn(t.app, me.email);
    const mine = await agent.get(`/users/${me.id}/edit`);
    expect(mine.status).toBe(200);
    expect(mine.text).toMatch(new RegExp(`<form class="form" method="post" action="/users/${me.id}"><input type="hidden" name="_method" value="PATCH"><input type="hidden" name="_csrf"`));
    expect(mine.text).toContain(`value="${me.email}"`);
    expect((await agent.get(`/users/${await userId('eric')}/edit`)).status).toBe(403);
    const visitor = await request(t.app).get(`/users/${me.id}/edit`);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/login/');
  });

  test('a form POST with _method=PATCH updates your account and redirects with 303', async () => {
    const me = await createUser({ name: 'Pia' });
    const { agent, csrf } = await signIn(t.app, me.email);
    const res = await agent.post(`/users/${me.id}`).type('form').send({ _csrf: csrf, _method: 'PATCH', name: 'Pia K', email: me.email, password: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${me.id}`);
    const row = await t.knex('users').where({ id: me.id }).first();
    expect(row.name).toBe('Pia K');
    expect(row.password_hash).toBe(me.password_hash); // a blank password field keeps the password
    expect((await agent.get(`/users/${me.id}`)).text).toContain('Pia K was updated.');
  });

  test('an invalid update re-renders edit with 422 and changes nothing', async () => {
    const me = await createUser({ name: 'Quin' });
    const { agent, csrf } = await signIn(t.app, me.email);
    const res = await agent.post(`/users/${me.id}`).type('form').send({ _csrf: csrf, _method: 'PATCH', name: '', email: me.email });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<h1>Edit Quin</h1>');
    expect(res.text).toContain('Name can&#39;t be blank');
    expect((await t.knex('users').where({ id: me.id }).first()).name).toBe('Quin');
  });

  test('deleting your account with _method=DELETE signs you out and redirects to the list', async () => {
    const me = await createUser({ name: 'Rae' });
    const { agent, csrf } = await signIn(t.app, me.email);
    const res = await agent.post(`/users/${me.id}`).type('form').send({ _csrf: csrf, _method: 'DELETE' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/users');
    expect(await t.knex('users').where({ id: me.id }).first()).toBeUndefined();
    const list = await agent.get('/users');
    expect(list.text).toContain('Rae was deleted.');
    expect(list.text).toContain('>Sign in</a>');
  });

  test('deleting an account that has posts is a 409 page, and the user stays', async () => {
    const me = await createUser({ name: 'Sam' });
    await t.knex('posts').insert({ user_id: me.id, title: 'Mine' });
    const { agent, csrf } = await signIn(t.app, me.email);
    const res = await agent.post(`/users/${me.id}`).type('form').send({ _csrf: csrf, _method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Other records still refer to this one.');
    expect(await User.find(me.id)).toBeDefined();
  });

  test.each(['/users/987654', '/users/abc', '/users/1.5', '/users/99999999999'])('GET %s is a 404 page', async (path) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(404);
    expect(res.text).toContain('<h1>Page not found</h1>');
  });

  test('pagination: page 2 of 1-per-page, with a pager', async () => {
    const everyone = await User.alphabetical();
    const res = await request(t.app).get('/users?per_page=1&page=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Page 2 of ${everyone.length}`);
    expect(res.text).toContain('<a href="/users?page=1&amp;per_page=1" rel="prev">← Previous</a>');
    expect(res.text).toContain(`<a href="/users/${everyone[1]!.id}">`);
    expect(res.text).not.toContain(`<a href="/users/${everyone[0]!.id}">`);
  });
});

describe('users, as JSON', () => {
  test('GET /users answers data and meta, with Link headers', async () => {
    const total = await User.count();
    const first = (await User.alphabetical())[0]!;
    const res = await request(t.app).get('/users?per_page=1&page=1').set('Accept', json);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, perPage: 1, total, pages: total });
    expect(res.body.data).toEqual([{ id: first.id, name: first.name, posts_count: expect.any(Number) }]);
    expect(res.headers.link).toBe(`</users?page=2&per_page=1>; rel="next", </users?page=${total}&per_page=1>; rel="last"`);
  });

  test('the last page links back, not forward', async () => {
    const total = await User.count();
    const res = await request(t.app).get(`/users?per_page=1&page=${total}`).set('Accept', json);
    expect(res.headers.link).toBe(`</users?page=1&per_page=1>; rel="first", </users?page=${total - 1}&per_page=1>; rel="prev"`);
  });

  test.each([
    ['page=abc', 'page'],
    ['page=0', 'page'],
    ['per_page=1000', 'per_page'],
  ])('?%s is a 422 naming %s', async (query, field) => {
    const res = await request(t.app).get(`/users?${query}`).set('Accept', json);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Object.keys(JSON.parse(res.text).errors)).toEqual([field]);
  });

  test('GET /users/:id answers the public view (no email, no password hash); unknown ids are 404 problem+json', async () => {
    const id = await userId('eric');
    const res = await request(t.app).get(`/users/${id}`).set('Accept', json);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, name: 'eric', posts_count: 1 });
    const missing = await request(t.app).get('/users/abc').set('Accept', json);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ status: 404, title: 'Not Found' });
  });

  test('POST /users signs up: 201 with Location, a session cookie, and unknown fields not written', async () => {
    const agent = request.agent(t.app);
    const res = await agent.post('/users').set('Accept', json).send({ name: 'Tia', email: 'tia@example.com', password: testPassword, id: 4242, password_hash: 'planted' });
    expect(res.status).toBe(201);
    const row = await t.knex('users').where({ email: 'tia@example.com' }).first();
    expect(row.id).not.toBe(4242);
    expect(row.password_hash).not.toBe('planted');
    expect(res.headers.location).toBe(`/users/${row.id}`);
    // Your own account, so with your email.
    expect(res.body).toEqual({ id: row.id, name: 'Tia', email: 'tia@example.com', created_at: expect.any(String), updated_at: expect.any(String) });
    const patched = await agent.patch(`/users/${row.id}`).set('Accept', json).send({ name: 'Tiana' });
    expect(patched.status).toBe(200);
  });

  test('invalid sign-up input is a 422 problem with errors per field, and nothing is written', async () => {
    const before = await User.count();
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: '', email: 'x' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ name: ["can't be blank"], email: ['is not a valid email address'], password: ["can't be blank"] });
    expect(await User.count()).toBe(before);
  });

  test('a taken email over JSON is a 422 on email', async () => {
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: 'Dup', email: 'eric@example.com', password: testPassword });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ email: ['has already been taken'] });
  });

  test('PATCH and PUT /users/:id update your own account', async () => {
    const me = await createUser({ name: 'Uma' });
    const agent = await signInJson(t.app, me.email);
    const patched = await agent.patch(`/users/${me.id}`).set('Accept', json).send({ name: 'Umar' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: me.id, name: 'Umar', email: me.email });
    const put = await agent.put(`/users/${me.id}`).set('Accept', json).send({ name: 'Uri', email: 'uri@example.com' });
    expect(put.status).toBe(200);
    expect(await t.knex('users').where({ id: me.id }).first()).toMatchObject({ name: 'Uri', email: 'uri@example.com' });
  });

  test('writing without signing in is a 401; to someone else a 403; to nobody a 404 — and nothing changes', async () => {
    const eric = await userId('eric');
    const anonymous = await request(t.app).patch(`/users/${eric}`).set('Accept', json).send({ name: 'x' });
    expect(anonymous.status).toBe(401);
    const me = await createUser();
    const agent = await signInJson(t.app, me.email);
    const other = await agent.patch(`/users/${eric}`).set('Accept', json).send({ name: 'x' });
    expect(other.status).toBe(403);
    expect(JSON.parse(other.text).detail).toBe('You can only change your own account.');
    expect((await agent.delete(`/users/${eric}`).set('Accept', json)).status).toBe(403);
    expect((await agent.patch('/users/987654').set('Accept', json).send({ name: 'x' })).status).toBe(404);
    expect((await User.find(eric))?.name).toBe('eric');
  });

  test('DELETE /users/:id answers 204 with no body, and the session ends', async () => {
    const me = await createUser();
    const agent = await signInJson(t.app, me.email);
    const res = await agent.delete(`/users/${me.id}`).set('Accept', json);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await User.find(me.id)).toBeUndefined();
  });

  test('malformed JSON is a 400 and an oversized body a 413', async () => {
    const bad = await request(t.app).post('/users').set('Accept', json).set('Content-Type', json).send('{"name": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).detail).toBe('The request body is not valid JSON.');
    const big = await request(t.app).post('/users').set('Accept', json).send({ name: 'x'.repeat(200 * 1024), email: 'big@example.com', password: testPassword });
    expect(big.status).toBe(413);
    expect(await User.exists({ email: 'big@example.com' })).toBe(false);
  });

  test('a client that accepts neither HTML nor JSON gets 406', async () => {
    const res = await request(t.app).get('/users').set('Accept', 'text/csv');
    expect(res.status).toBe(406);
  });
});

describe('privacy: emails and drafts are their owner’s alone', () => {
  let me: User;
  let meApi: ReturnType<typeof request.agent>;
  let meBrowser: Awaited<ReturnType<typeof signIn>>;
  let otherApi: ReturnType<typeof request.agent>;
  let otherBrowser: Awaited<ReturnType<typeof signIn>>;
  let other: User;

  beforeAll(async () => {
    me = await createUser({ name: 'Quinn', email: 'quinn@example.com' });
    other = await createUser({ name: 'Rhea', email: 'rhea@example.com' });
    meApi = await signInJson(t.app, me.email);
    meBrowser = await signIn(t.app, me.email);
    otherApi = await signInJson(t.app, other.email);
    otherBrowser = await signIn(t.app, other.email);
    await t.knex('posts').insert([
      { user_id: me.id, title: 'Quinn in public', body: '', published: true },
      { user_id: me.id, title: 'Quinn’s unfinished draft', body: '', published: false },
    ]);
  });

  test('GET /users as JSON shows nobody’s email to a visitor, and only your own to you', async () => {
    const anonymous = await request(t.app).get('/users?per_page=100').set('Accept', json);
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).not.toContain('@example.com');
    for (const user of anonymous.body.data) expect(Object.keys(user).sort()).toEqual(['id', 'name', 'posts_count']);

    const signedIn = await meApi.get('/users?per_page=100').set('Accept', json);
    const mine = signedIn.body.data.find((u: { id: number }) => u.id === me.id);
    expect(mine).toEqual({ id: me.id, name: 'Quinn', email: 'quinn@example.com', posts_count: 1, created_at: expect.any(String), updated_at: expect.any(String) });
    const others = signedIn.body.data.filter((u: { id: number }) => u.id !== me.id);
    expect(others.length).toBeGreaterThan(0);
    for (const user of others) expect(user).not.toHaveProperty('email');
    expect(signedIn.text.match(/@example\.com/g)).toEqual(['@example.com']);
  });

  test('GET /users/:id as JSON: your own has your email, anyone else’s has none', async () => {
    const own = await meApi.get(`/users/${me.id}`).set('Accept', json);
    expect(own.body).toEqual({ id: me.id, name: 'Quinn', email: 'quinn@example.com', posts_count: 1, created_at: expect.any(String), updated_at: expect.any(String) });
    for (const client of [request(t.app), otherApi]) {
      const res = await client.get(`/users/${me.id}`).set('Accept', json);
      expect(res.body).toEqual({ id: me.id, name: 'Quinn', posts_count: 1 });
    }
  });

  test('the HTML pages show no one else’s email, signed in or not', async () => {
    for (const client of [request(t.app), otherBrowser.agent]) {
      const list = await client.get('/users?per_page=100');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain('quinn@example.com');
      expect(list.text).not.toContain('alex@example.com');
      const page = await client.get(`/users/${me.id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('quinn@example.com');
    }
    expect((await meBrowser.agent.get(`/users/${me.id}`)).text).toContain('quinn@example.com');
    expect((await meBrowser.agent.get(`/users/${other.id}`)).text).not.toContain('rhea@example.com');
  });

  test('a user’s page lists their drafts to them alone, and counts only published posts', async () => {
    for (const client of [request(t.app), otherBrowser.agent]) {
      const page = await client.get(`/users/${me.id}`);
      expect(page.text).toContain('Quinn in public');
      expect(page.text).not.toContain('unfinished draft');
      expect(page.text).toContain('1 published post<');
    }
    const own = await meBrowser.agent.get(`/users/${me.id}`);
    expect(own.text).toContain('Quinn’s unfinished draft</a> <span class="badge">draft</span>');
    expect(own.text).toContain('1 published post<');
    const list = await request(t.app).get('/users?per_page=100');
    expect(list.text).toMatch(new RegExp(`<a href="/users/${me.id}">Quinn</a></td>\\s*<td>1</td>`));
  });
});
