import request from 'supertest';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';

const t = useTestApp();
const json = 'application/json';

async function userId(name: string): Promise<number> {
  return (await User.findBy({ name }))!.id;
}

describe('users, as HTML', () => {
  test('GET /users lists users alphabetically with links, and a New user button', async () => {
    const res = await request(t.app).get('/users');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Users</h1>');
    expect(res.text).toContain(`<a href="/users/${await userId('alex')}">alex</a>`);
    expect(res.text).toContain('href="/users/new"');
    expect(res.text.indexOf('>alex<')).toBeLessThan(res.text.indexOf('>eric<'));
  });

  test('GET /users/:id shows the user and their posts', async () => {
    const id = await userId('alex');
    const res = await request(t.app).get(`/users/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>alex</h1>');
    expect(res.text).toContain('The essence of a web framework');
    expect(res.text).toContain(`action="/users/${id}"`);
    expect(res.text).toContain('<input type="hidden" name="_method" value="DELETE">');
  });

  test('GET /users/new shows an empty form', async () => {
    const res = await request(t.app).get('/users/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<form class="form" method="post" action="/users">');
    expect(res.text).toContain('<input id="user_name" name="name" type="text" value=""');
  });

  test('POST /users creates, redirects with 303, and shows the flash once', async () => {
    const agent = request.agent(t.app);
    const res = await agent.post('/users').type('form').send('name=Nina&email=nina@example.com');
    const row = await t.knex('users').where({ email: 'nina@example.com' }).first();
    expect(row).toMatchObject({ name: 'Nina' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${row.id}`);
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^trestle\.sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const shown = await agent.get(res.headers.location!);
    expect(shown.text).toContain('<p class="flash notice" role="status">Nina was added.</p>');
    const again = await agent.get(res.headers.location!);
    expect(again.text).not.toContain('Nina was added.');
  });

  test('an invalid form comes back with 422, the input kept and each field’s message', async () => {
    const before = await User.count();
    const res = await request(t.app).post('/users').type('form').send('name=&email=not-an-email');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please correct 2 errors below.');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('<p class="field-error" id="user_name_error">Name can&#39;t be blank</p>');
    expect(res.text).toContain('<p class="field-error" id="user_email_error">Email is not a valid email address</p>');
    expect(await User.count()).toBe(before);
  });

  test('a taken email re-renders the form with the message on email', async () => {
    const res = await request(t.app).post('/users').type('form').send('name=Alex+Two&email=alex@example.com');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Email has already been taken');
    expect(res.text).toContain('value="Alex Two"');
  });

  test('GET /users/:id/edit shows the form filled in, as a PATCH', async () => {
    const id = await userId('eric');
    const res = await request(t.app).get(`/users/${id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<form class="form" method="post" action="/users/${id}"><input type="hidden" name="_method" value="PATCH">`);
    expect(res.text).toContain('value="eric@example.com"');
  });

  test('a form POST with _method=PATCH updates and redirects with 303', async () => {
    const user = await User.create({ name: 'Olga', email: 'olga@example.com' });
    const agent = request.agent(t.app);
    const res = await agent.post(`/users/${user.id}`).type('form').send('_method=PATCH&name=Olga+K&email=olga@example.com');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${user.id}`);
    expect((await t.knex('users').where({ id: user.id }).first()).name).toBe('Olga K');
    expect((await agent.get(`/users/${user.id}`)).text).toContain('Olga K was updated.');
  });

  test('an invalid update re-renders edit with 422 and changes nothing', async () => {
    const user = await User.create({ name: 'Pia', email: 'pia@example.com' });
    const res = await request(t.app).post(`/users/${user.id}`).type('form').send('_method=PATCH&name=&email=pia@example.com');
    expect(res.status).toBe(422);
    expect(res.text).toContain('<h1>Edit Pia</h1>');
    expect(res.text).toContain('Name can&#39;t be blank');
    expect((await t.knex('users').where({ id: user.id }).first()).name).toBe('Pia');
  });

  test('a form POST with _method=DELETE deletes and redirects to the list', async () => {
    const user = await User.create({ name: 'Quin', email: 'quin@example.com' });
    const agent = request.agent(t.app);
    const res = await agent.post(`/users/${user.id}`).type('form').send('_method=DELETE');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/users');
    expect(await t.knex('users').where({ id: user.id }).first()).toBeUndefined();
    expect((await agent.get('/users')).text).toContain('Quin was deleted.');
  });

  test('deleting a user who has posts is a 409 page, and the user stays', async () => {
    const id = await userId('alex');
    const res = await request(t.app).post(`/users/${id}`).type('form').send('_method=DELETE');
    expect(res.status).toBe(409);
    expect(res.text).toContain('Other records still refer to this one.');
    expect(await User.find(id)).toBeDefined();
  });

  test.each(['/users/987654', '/users/abc', '/users/1.5', '/users/987654/edit'])('GET %s is a 404 page', async (path) => {
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
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toEqual({ id: first.id, name: first.name, email: first.email, created_at: expect.any(String), updated_at: expect.any(String) });
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

  test('GET /users/:id answers the user object; unknown ids are 404 problem+json', async () => {
    const id = await userId('eric');
    const res = await request(t.app).get(`/users/${id}`).set('Accept', json);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: 'eric', email: 'eric@example.com' });
    const missing = await request(t.app).get('/users/abc').set('Accept', json);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ status: 404, title: 'Not Found' });
  });

  test('POST /users answers 201 with Location and the new user; unknown fields are not written', async () => {
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: 'Rae', email: 'rae@example.com', id: 4242, admin: true });
    expect(res.status).toBe(201);
    const row = await t.knex('users').where({ email: 'rae@example.com' }).first();
    expect(row.id).not.toBe(4242);
    expect(res.headers.location).toBe(`/users/${row.id}`);
    expect(res.body).toMatchObject({ id: row.id, name: 'Rae', email: 'rae@example.com' });
  });

  test('invalid JSON input is a 422 problem with errors per field, and nothing is written', async () => {
    const before = await User.count();
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: '', email: 'x' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ name: ["can't be blank"], email: ['is not a valid email address'] });
    expect(await User.count()).toBe(before);
  });

  test('a taken email over JSON is a 422 on email', async () => {
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: 'Dup', email: 'eric@example.com' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ email: ['has already been taken'] });
  });

  test('PATCH and PUT /users/:id update and answer the user', async () => {
    const user = await User.create({ name: 'Sam', email: 'sam@example.com' });
    const patched = await request(t.app).patch(`/users/${user.id}`).set('Accept', json).send({ name: 'Samuel' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: user.id, name: 'Samuel', email: 'sam@example.com' });
    const put = await request(t.app).put(`/users/${user.id}`).set('Accept', json).send({ name: 'Sammy', email: 'sammy@example.com' });
    expect(put.status).toBe(200);
    expect(await t.knex('users').where({ id: user.id }).first()).toMatchObject({ name: 'Sammy', email: 'sammy@example.com' });
  });

  test('PATCH to a missing user is a 404', async () => {
    const res = await request(t.app).patch('/users/987654').set('Accept', json).send({ name: 'x' });
    expect(res.status).toBe(404);
  });

  test('DELETE /users/:id answers 204 with no body', async () => {
    const user = await User.create({ name: 'Tia', email: 'tia@example.com' });
    const res = await request(t.app).delete(`/users/${user.id}`).set('Accept', json);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await User.find(user.id)).toBeUndefined();
  });

  test('DELETE of a user with posts is a 409 problem', async () => {
    const res = await request(t.app).delete(`/users/${await userId('eric')}`).set('Accept', json);
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text)).toMatchObject({ status: 409, title: 'Conflict' });
  });

  test('malformed JSON is a 400 and an oversized body a 413', async () => {
    const bad = await request(t.app).post('/users').set('Accept', json).set('Content-Type', json).send('{"name": ');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).detail).toBe('The request body is not valid JSON.');
    const big = await request(t.app).post('/users').set('Accept', json).send({ name: 'x'.repeat(200 * 1024), email: 'big@example.com' });
    expect(big.status).toBe(413);
    expect(await User.exists({ email: 'big@example.com' })).toBe(false);
  });

  test('a client that accepts neither HTML nor JSON gets 406', async () => {
    const res = await request(t.app).get('/users').set('Accept', 'text/csv');
    expect(res.status).toBe(406);
  });
});
