// Writing posts: the new-post forms, and creating one from a browser or over the API, as yourself only.
import request from 'supertest';
import { csrfFrom, testPassword } from '../../support/auth';
import { type Browser, ada, adaApi, adaBrowser, badToken, bob, bobBrowser, countPosts, crossSite, expectForbiddenJson, expectForbiddenPage, expectSentToLogin, flashAlert, flashNotice, formBody, inputValue, isChecked, json, missingId, notYou, postByTitle, postRow, problemOf, submitForm, t, textareaValue, ticked, userId } from '../../support/posts-kit';

describe('GET /posts/new and /users/:userId/posts/new', () => {
  test('the form has title, body, published and the CSRF token, no author select, and posts to /posts', async () => {
    const res = await adaBrowser.agent.get('/posts/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post</h1>');
    expect(res.text).toContain(`<form class="form" method="post" action="/posts"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`);
    expect(res.text).not.toContain('name="_method"');
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(inputValue(res.text, 'post_title')).toBe('');
    expect(res.text).toMatch(/<input id="post_title" name="title" type="text" value="" required>/);
    expect(textareaValue(res.text, 'post_body')).toBe('');
    expect(res.text).toContain('<input type="hidden" name="published" value="false">');
    expect(isChecked(res.text, 'post_published')).toBe(false);
    expect(res.text).toContain('<button type="submit" class="button">Publish</button>');
  });

  test('an anonymous browser is sent to sign in (303) with a message, and comes back to the form after', async () => {
    const agent = request.agent(t.app);
    const res = await agent.get('/posts/new');
    expectSentToLogin(res);
    const login = await agent.get(res.headers.location!);
    expect(login.status).toBe(200);
    expect(flashAlert(login.text)).toBe('Please sign in first.');
    const signedIn = await agent.post('/login/').type('form').send(formBody({ _csrf: csrfFrom(login.text), email: ada.email, password: testPassword }));
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/posts/new');
    const form = await agent.get(signedIn.headers.location!);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>New post</h1>');
  });

  test('an anonymous API client gets a 401 problem', async () => {
    const res = await request(t.app).get('/posts/new').set(json);
    expect(res.status).toBe(401);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 401, title: 'Unauthorized' }));
  });

  test('the nested form is open at your own id, and has no author select', async () => {
    const res = await adaBrowser.agent.get(`/users/${ada.id}/posts/new`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post</h1>');
    expect(res.text).toMatch(/<form class="form" method="post" action="\/(users\/\d+\/)?posts">/);
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(res.text).toContain('name="title"');
    expect(res.text).toContain('name="body"');
  });

  test('the nested form at someone else’s id is a 403', async () => {
    expectForbiddenPage(await adaBrowser.agent.get(`/users/${bob.id}/posts/new`), notYou);
    expectForbiddenPage(await adaBrowser.agent.get(`/users/${await userId('alex')}/posts/new`), notYou);
  });

  test('the nested form of an anonymous visitor sends them to sign in', async () => {
    expectSentToLogin(await request(t.app).get(`/users/${ada.id}/posts/new`));
  });

  test('the nested form of an unknown user is a 404', async () => {
    const res = await adaBrowser.agent.get(`/users/${await missingId('users')}/posts/new`);
    expect(res.status).toBe(404);
  });
});

describe('POST /posts', () => {
  test('an HTML form creates the post as the signed-in user, redirects to it with 303, and flashes once', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, '/posts', { title: 'Created from a form', body: 'Some words.', published: ticked });
    expect(res.status).toBe(303);
    const row = await postByTitle('Created from a form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row).toEqual(expect.objectContaining({ user_id: ada.id, body: 'Some words.', published: true }));
    expect(await countPosts()).toBe(before + 1);

    const next = await adaBrowser.agent.get(res.headers.location!);
    expect(next.status).toBe(200);
    expect(next.text).toContain('<h1>Created from a form</h1>');
    expect(next.text).toContain(`by <a href="/users/${ada.id}">ada</a>`);
    expect(flashNotice(next.text)).toBe('The post was published.');

    const after = await adaBrowser.agent.get(res.headers.location!);
    expect(after.status).toBe(200);
    expect(flashNotice(after.text)).toBeUndefined();
    expect(after.text).not.toContain('The post was published.');
  });

  test('a form with "published" unticked (it sends published=false) makes a draft', async () => {
    const res = await submitForm(adaBrowser, '/posts', { title: 'Unticked draft', body: '', published: 'false' });
    expect(res.status).toBe(303);
    expect(await postByTitle('Unticked draft')).toEqual(expect.objectContaining({ user_id: ada.id, published: false }));
  });

  test('JSON: 201 with Location /posts/:id and the new post, written by the signed-in user', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: '  Made by the API  ', body: 'JSON body', published: true });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(Number),
      user_id: ada.id,
      title: 'Made by the API',
      body: 'JSON body',
      published: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await countPosts()).toBe(before + 1);
    const row = await postRow(res.body.id);
    expect(row).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Made by the API', body: 'JSON body', published: true }));
    const shown = await request(t.app).get(res.headers.location!).set(json);
    expect(shown.body.author.name).toBe('ada');
  });

  test.each<[string, () => Promise<unknown>]>([
    ['another user’s id', async () => bob.id],
    ['a seeded user’s id', () => userId('alex')],
    ['an id nobody has', () => missingId('users')],
    ['an id too large for the column', async () => 99999999999],
    ['a word', async () => 'abc'],
  ])('the body’s user_id is ignored (JSON, %s): the author is the signed-in user', async (label, userIdInBody) => {
    const title = `Ignored user_id (${label})`;
    const res = await adaApi.post('/posts').set(json).send({ title, user_id: await userIdInBody() });
    expect(res.status).toBe(201);
    expect(res.body.user_id).toBe(ada.id);
    expect(await postByTitle(title)).toEqual(expect.objectContaining({ id: res.body.id, user_id: ada.id }));
  });

  test('the body’s user_id is ignored in an HTML form too', async () => {
    const res = await submitForm(bobBrowser, '/posts', { title: 'Bob, not Ada', body: '', user_id: ada.id, published: 'false' });
    expect(res.status).toBe(303);
    expect((await postByTitle('Bob, not Ada')).user_id).toBe(bob.id);
  });

  test('JSON defaults: no body and no published mean an empty draft', async () => {
    const res = await adaApi.post('/posts').set(json).send({ title: 'Bare' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ body: '', published: false }));
    expect(await postRow(res.body.id)).toEqual(expect.objectContaining({ body: '', published: false }));
  });

  test('fields outside the schema are ignored (no mass assignment of id or timestamps)', async () => {
    const unusedId = await missingId('posts');
    const res = await adaApi.post('/posts').set(json).send({ title: 'Sneaky', id: unusedId, created_at: '2000-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(unusedId);
    expect(new Date(res.body.created_at).getUTCFullYear()).toBeGreaterThan(2000);
    expect(await postRow(unusedId)).toBeUndefined();
  });

  test('a blank title in HTML re-renders the form with 422, keeping the input, with the message by the field', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, '/posts', { title: '   ', body: 'Words <kept>', published: 'false' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(`<form class="form" method="post" action="/posts"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`);
    expect(res.text).toContain('<div class="error-summary" role="alert">Please correct the error below.</div>');
    expect(textareaValue(res.text, 'post_body')).toBe('Words &lt;kept&gt;');
    expect(res.text).not.toContain('<select');
    expect(res.text).toMatch(
      /<div class="field has-error"><label for="post_title">Title<\/label><input id="post_title" name="title" type="text" value="[^"]*" required aria-invalid="true" aria-describedby="post_title_error"><p class="field-error" id="post_title_error">Title can&#39;t be blank<\/p><\/div>/,
    );
    expect(res.text).not.toContain('id="post_body_error"');
    expect(await countPosts()).toBe(before);
  });

  test('a blank title in JSON is a 422 problem with errors.title, and no row', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: '', body: 'x' });
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem).toEqual(expect.objectContaining({ status: 422, title: 'Unprocessable Content', instance: '/posts' }));
    expect(problem.errors).toEqual({ title: ["can't be blank"] });
    expect(await countPosts()).toBe(before);
  });

  test('a missing title is the only error: the author comes from the session, not the body', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ body: 'orphan' });
    expect(res.status).toBe(422);
    expect(Object.keys(problemOf(res).errors as object)).toEqual(['title']);
    expect(await countPosts()).toBe(before);
  });

  test('a title over 200 characters is refused', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: 'x'.repeat(201) });
    expect(res.status).toBe(422);
    expect(problemOf(res).errors).toEqual({ title: ['is too long (at most 200 characters)'] });
    expect(await countPosts()).toBe(before);
  });

  describe('signing in', () => {
    test('an anonymous JSON POST is a 401 problem and writes nothing', async () => {
      const before = await countPosts();
      const res = await request(t.app).post('/posts').set(json).send({ title: 'Anonymous via API', user_id: ada.id });
      expect(res.status).toBe(401);
      expect(problemOf(res)).toEqual(expect.objectContaining({ status: 401, title: 'Unauthorized', instance: '/posts' }));
      expect(await countPosts()).toBe(before);
      expect(await t.knex('posts').where({ title: 'Anonymous via API' }).first()).toBeUndefined();
    });

    test('an anonymous form with a valid token is sent to sign in and writes nothing', async () => {
      const agent = request.agent(t.app);
      const login = await agent.get('/login/');
      const before = await countPosts();
      const res = await agent.post('/posts').type('form').send(formBody({ _csrf: csrfFrom(login.text), title: 'Anonymous form', body: '' }));
      expectSentToLogin(res);
      expect(await countPosts()).toBe(before);
      expect(flashAlert((await agent.get('/login/')).text)).toBe('Please sign in first.');
    });
  });

  describe('CSRF', () => {
    test.each<[string, (browser: Browser) => Record<string, string>]>([
      ['no _csrf', () => ({})],
      ['an empty _csrf', () => ({ _csrf: '' })],
      ['a wrong _csrf', (browser) => ({ _csrf: browser.csrf.replace(/^./, (c) => (c === '0' ? '1' : '0')) })],
      ['another session’s _csrf', () => ({ _csrf: bobBrowser.csrf })],
    ])('a signed-in form POST with %s is a 403 and writes nothing', async (label, token) => {
      const title = `Forged post (${label})`;
      const before = await countPosts();
      const res = await adaBrowser.agent.post('/posts').type('form').send(formBody({ ...token(adaBrowser), title, body: '', published: 'false' }));
      expectForbiddenPage(res, badToken);
      expect(await countPosts()).toBe(before);
      expect(await t.knex('posts').where({ title }).first()).toBeUndefined();
    });

    test('the same form is accepted with its token in the X-CSRF-Token header', async () => {
      const res = await adaBrowser.agent.post('/posts').type('form').set('X-CSRF-Token', adaBrowser.csrf).send(formBody({ title: 'Token in a header', body: '' }));
      expect(res.status).toBe(303);
      expect((await postByTitle('Token in a header')).user_id).toBe(ada.id);
    });

    test('a form POST without a token is a 403 problem when the client asks for JSON', async () => {
      const before = await countPosts();
      const res = await adaBrowser.agent.post('/posts').type('form').set(json).send(formBody({ title: 'Form wanting JSON' }));
      expectForbiddenJson(res, badToken);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST with Sec-Fetch-Site: cross-site is a 403 and writes nothing', async () => {
      const before = await countPosts();
      const res = await adaApi.post('/posts').set(json).set('Sec-Fetch-Site', 'cross-site').send({ title: 'Cross-site via API' });
      expectForbiddenJson(res, crossSite);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST from another Origin is a 403 and writes nothing', async () => {
      const before = await countPosts();
      const res = await adaApi.post('/posts').set(json).set('Origin', 'https://evil.example').send({ title: 'Other origin via API' });
      expectForbiddenJson(res, crossSite);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST with Sec-Fetch-Site: same-origin needs no token', async () => {
      const res = await adaApi.post('/posts').set(json).set('Sec-Fetch-Site', 'same-origin').send({ title: 'Same origin via API' });
      expect(res.status).toBe(201);
      expect((await postRow(res.body.id))!.user_id).toBe(ada.id);
    });
  });
});

describe('POST /users/:userId/posts', () => {
  test('at your own id (JSON): 201, and the body’s user_id is ignored', async () => {
    const res = await adaApi.post(`/users/${ada.id}/posts`).set(json).send({ title: 'Nested via API', user_id: bob.id });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body.user_id).toBe(ada.id);
    expect((await postRow(res.body.id))!.user_id).toBe(ada.id);
  });

  test('at your own id (HTML form): 303 to the post and the flash', async () => {
    const res = await submitForm(adaBrowser, `/users/${ada.id}/posts`, { title: 'Nested form', body: 'hi', user_id: bob.id, published: 'false' });
    expect(res.status).toBe(303);
    const row = await postByTitle('Nested form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row.user_id).toBe(ada.id);
    const next = await adaBrowser.agent.get(res.headers.location!);
    expect(flashNotice(next.text)).toBe('The post was published.');
  });

  test('at someone else’s id it is a 403 and writes nothing, in JSON and in a form', async () => {
    const before = await countPosts();
    expectForbiddenJson(await adaApi.post(`/users/${bob.id}/posts`).set(json).send({ title: 'As bob via API' }), notYou);
    expectForbiddenPage(await submitForm(adaBrowser, `/users/${bob.id}/posts`, { title: 'As bob via a form', body: '' }), notYou);
    expect(await countPosts()).toBe(before);
    expect(await countPosts({ user_id: bob.id, title: 'As bob via API' })).toBe(0);
  });

  test('anonymously it is a 401 (JSON) and writes nothing', async () => {
    const before = await countPosts();
    const res = await request(t.app).post(`/users/${ada.id}/posts`).set(json).send({ title: 'Anonymous nested' });
    expect(res.status).toBe(401);
    expect(await countPosts()).toBe(before);
  });

  test('an invalid nested form re-renders the form with 422, the input kept, and no author select', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, `/users/${ada.id}/posts`, { title: '', body: 'still here' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<form class="form" method="post" action="\/(users\/\d+\/)?posts">/);
    expect(res.text).not.toContain('<select');
    expect(textareaValue(res.text, 'post_body')).toBe('still here');
    expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
    expect(await countPosts()).toBe(before);
  });

  test('an unknown user is a 404 and writes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.post(`/users/${await missingId('users')}/posts`).set(json).send({ title: 'Lost' });
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});
