// Changing posts: editing, updating and deleting, by their author only, with CSRF protection.
import request from 'supertest';
import { ada, adaApi, adaBrowser, badToken, bob, bobApi, bobBrowser, countPosts, crossSite, expectForbiddenJson, expectForbiddenPage, expectSentToLogin, flashNotice, formBody, inputValue, insertPost, isChecked, json, missingId, notYours, postByTitle, postRow, problemOf, submitForm, t, textareaValue, ticked } from '../../support/posts-kit';

describe('GET /posts/:id/edit', () => {
  test('the author’s form is filled with the post’s values and overrides the method to PATCH', async () => {
    const post = await insertPost(ada, { title: 'Edit "me" & <you>', body: 'Body to edit', published: true });
    const res = await adaBrowser.agent.get(`/posts/${post.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Edit post</h1>');
    expect(res.text).toContain(
      `<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`,
    );
    expect(inputValue(res.text, 'post_title')).toBe('Edit &#34;me&#34; &amp; &lt;you&gt;');
    expect(textareaValue(res.text, 'post_body')).toBe('Body to edit');
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(isChecked(res.text, 'post_published')).toBe(true);
    expect(res.text).toContain('<button type="submit" class="button">Save changes</button>');
    expect(res.text).toContain(`<a href="/posts/${post.id}">Cancel</a>`);
  });

  test('a draft’s checkbox is not ticked', async () => {
    const draft = await insertPost(ada, { title: 'A draft to edit', published: false });
    const res = await adaBrowser.agent.get(`/posts/${draft.id}/edit`);
    expect(res.status).toBe(200);
    expect(isChecked(res.text, 'post_published')).toBe(false);
  });

  test('someone else’s post has no edit page for you: 403, or 404 for their draft', async () => {
    const post = await insertPost(ada, { title: 'Not bob’s to edit', published: true });
    expectForbiddenPage(await bobBrowser.agent.get(`/posts/${post.id}/edit`), notYours);
    const draft = await insertPost(ada, { title: 'Not bob’s to see' });
    expect((await bobBrowser.agent.get(`/posts/${draft.id}/edit`)).status).toBe(404);
    expectForbiddenPage(await adaBrowser.agent.get(`/posts/${(await postByTitle('Why a URL table')).id}/edit`), notYours);
  });

  test('an anonymous visitor is sent to sign in', async () => {
    const post = await insertPost(ada, { title: 'Edit me after signing in' });
    expectSentToLogin(await request(t.app).get(`/posts/${post.id}/edit`));
  });

  test('an unknown post has no edit page', async () => {
    expect((await adaBrowser.agent.get(`/posts/${await missingId('posts')}/edit`)).status).toBe(404);
    expect((await adaBrowser.agent.get('/posts/abc/edit')).status).toBe(404);
  });
});

describe('PATCH /posts/:id', () => {
  describe('by the author', () => {
    test('JSON: 200 with the new values, stored, and updated_at moves', async () => {
      const post = await insertPost(ada, { title: 'Before', body: 'old body', published: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'After', body: 'new body', published: true });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(expect.objectContaining({ id: post.id, title: 'After', body: 'new body', published: true, user_id: ada.id }));
      expect(new Date(res.body.updated_at).getTime()).toBeGreaterThan(post.updated_at.getTime());
      expect(res.body.created_at).toBe(post.created_at.toISOString());
      const row = await postRow(post.id);
      expect(row).toEqual(expect.objectContaining({ title: 'After', body: 'new body', published: true, user_id: ada.id }));
      expect(row!.updated_at.getTime()).toBeGreaterThan(post.updated_at.getTime());
    });

    test('a PATCH of the title alone leaves the body and "published" as they were', async () => {
      const post = await insertPost(ada, { title: 'Partial before', body: 'keep this body', published: true });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Partial after' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
    });

    test.each<[string, () => Promise<unknown>]>([
      ['another user’s id', async () => bob.id],
      ['an id nobody has', () => missingId('users')],
    ])('user_id in an update is ignored (%s): the post stays the author’s, and so does the author in the answer', async (_label, userIdInBody) => {
      const post = await insertPost(ada, { title: 'Not changing hands' });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ user_id: await userIdInBody(), title: 'Still Ada’s' });
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(ada.id);
      expect(res.body.author).toEqual(expect.objectContaining({ id: ada.id, name: 'ada' }));
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Still Ada’s' }));
    });

    test('user_id in an update form is ignored too', async () => {
      const post = await insertPost(ada, { title: 'Form keeps its author' });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Form kept its author', body: '', user_id: bob.id, published: 'false' });
      expect(res.status).toBe(303);
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Form kept its author' }));
    });

    test('PUT does the same as PATCH', async () => {
      const post = await insertPost(ada, { title: 'Put before' });
      const res = await adaApi.put(`/posts/${post.id}`).set(json).send({ body: 'put body' });
      expect(res.status).toBe(200);
      expect((await postRow(post.id))!.body).toBe('put body');
    });

    test('JSON published: false stores false', async () => {
      const post = await insertPost(ada, { title: 'Unpublish via JSON', published: true });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ published: false });
      expect(res.status).toBe(200);
      expect(res.body.published).toBe(false);
      expect((await postRow(post.id))!.published).toBe(false);
    });

    test('an HTML form with _method=PATCH updates, redirects with 303, and flashes once', async () => {
      const post = await insertPost(ada, { title: 'Form before', body: 'b' });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Form after', body: 'new body', published: ticked });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/posts/${post.id}`);
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Form after', body: 'new body', published: true }));
      const next = await adaBrowser.agent.get(res.headers.location!);
      expect(flashNotice(next.text)).toBe('The post was updated.');
      expect(next.text).toContain('<h1>Form after</h1>');
      const again = await adaBrowser.agent.get(res.headers.location!);
      expect(flashNotice(again.text)).toBeUndefined();
    });

    test('unticking "published" in the form (it sends published=false) stores false', async () => {
      const post = await insertPost(ada, { title: 'Published, to be unticked', published: true });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Published, to be unticked', body: '', published: 'false' });
      expect(res.status).toBe(303);
      expect((await postRow(post.id))!.published).toBe(false);
    });

    test('an invalid HTML update is a 422 form with the input kept, and the row unchanged', async () => {
      const post = await insertPost(ada, { title: 'Stays the same', body: 'original body', published: false });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: '', body: 'edited but not saved', published: 'false' });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH">`);
      expect(textareaValue(res.text, 'post_body')).toBe('edited but not saved');
      expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
      expect(await postRow(post.id)).toEqual(post);
    });

    test('a failed HTML update keeps a ticked "published" box ticked', async () => {
      const post = await insertPost(ada, { title: 'Tick stays', published: false });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: '', body: '', published: ticked });
      expect(res.status).toBe(422);
      expect(isChecked(res.text, 'post_published')).toBe(true);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an invalid JSON update is a 422 problem and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'JSON stays', body: 'kept' });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: '   ', body: 'nope' });
      expect(res.status).toBe(422);
      expect(problemOf(res).errors).toEqual({ title: ["can't be blank"] });
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an unknown post is a 404', async () => {
      const res = await adaApi.patch(`/posts/${await missingId('posts')}`).set(json).send({ title: 'x' });
      expect(res.status).toBe(404);
    });
  });

  describe('by anyone else', () => {
    test('another user’s JSON PATCH is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Ada’s, not Bob’s', body: 'hers', published: true });
      expectForbiddenJson(await bobApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Taken over', body: 'his' }), notYours);
      expectForbiddenJson(await bobApi.put(`/posts/${post.id}`).set(json).send({ user_id: bob.id }), notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('another user’s form PATCH (with their own valid token) is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Ada’s form target', body: 'hers', published: true });
      const res = await submitForm(bobBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Taken over by form', body: 'his', published: ticked });
      expectForbiddenPage(res, notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('another user’s draft is a 404 to PATCH, in JSON and in a form, and the row is unchanged', async () => {
      const draft = await insertPost(ada, { title: 'Ada’s hidden draft', body: 'hers' });
      expect((await bobApi.patch(`/posts/${draft.id}`).set(json).send({ title: 'Found it' })).status).toBe(404);
      expect((await submitForm(bobBrowser, `/posts/${draft.id}`, { _method: 'PATCH', title: 'Found it' })).status).toBe(404);
      expect(await postRow(draft.id)).toEqual(draft);
    });

    test('a seeded post cannot be changed by a new user either', async () => {
      const post = await postByTitle('Why a URL table');
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Mine now' }), notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an anonymous JSON PATCH is a 401 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Anonymous cannot touch' });
      const res = await request(t.app).patch(`/posts/${post.id}`).set(json).send({ title: 'Touched' });
      expect(res.status).toBe(401);
      expect(problemOf(res).status).toBe(401);
      expect(await postRow(post.id)).toEqual(post);
    });
  });

  describe('CSRF', () => {
    test('the author’s form PATCH without the token, or with a wrong one, is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Token needed to edit' });
      const fields = { _method: 'PATCH', title: 'Edited without a token', body: '', published: 'false' };
      expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody(fields)), badToken);
      expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ ...fields, _csrf: bobBrowser.csrf })), badToken);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('a cross-site JSON PATCH is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Not from elsewhere' });
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).set('Sec-Fetch-Site', 'cross-site').send({ title: 'From elsewhere' }), crossSite);
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).set('Origin', 'https://evil.example').send({ title: 'From evil' }), crossSite);
      expect(await postRow(post.id)).toEqual(post);
    });
  });
});

describe('DELETE /posts/:id', () => {
  test('JSON by the author: 204 with an empty body, and the row is gone', async () => {
    const post = await insertPost(ada, { title: 'Delete me (JSON)' });
    const before = await countPosts();
    const res = await adaApi.delete(`/posts/${post.id}`).set(json);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await postRow(post.id)).toBeUndefined();
    expect(await countPosts()).toBe(before - 1);
    const again = await request(t.app).get(`/posts/${post.id}`).set(json);
    expect(again.status).toBe(404);
  });

  test('an HTML form with _method=DELETE by the author deletes, redirects to /posts with 303, and flashes once', async () => {
    const post = await insertPost(ada, { title: 'Delete me (form)' });
    const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'DELETE' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/posts');
    expect(await postRow(post.id)).toBeUndefined();
    const list = await adaBrowser.agent.get('/posts');
    expect(flashNotice(list.text)).toBe('The post was deleted.');
    expect(list.text).not.toContain('Delete me (form)');
    const again = await adaBrowser.agent.get('/posts');
    expect(flashNotice(again.text)).toBeUndefined();
  });

  test('another user’s DELETE is a 403 and the row stays, in JSON and in a form', async () => {
    const post = await insertPost(ada, { title: 'Bob cannot delete this', published: true });
    expectForbiddenJson(await bobApi.delete(`/posts/${post.id}`).set(json), notYours);
    expectForbiddenPage(await submitForm(bobBrowser, `/posts/${post.id}`, { _method: 'DELETE' }), notYours);
    expect(await postRow(post.id)).toEqual(post);
    const draft = await insertPost(ada, { title: 'Bob cannot find this' });
    expect((await bobApi.delete(`/posts/${draft.id}`).set(json)).status).toBe(404);
    expect((await submitForm(bobBrowser, `/posts/${draft.id}`, { _method: 'DELETE' })).status).toBe(404);
    expect(await postRow(draft.id)).toEqual(draft);
  });

  test('an anonymous DELETE is a 401 (JSON) and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Anonymous cannot delete this' });
    const res = await request(t.app).delete(`/posts/${post.id}`).set(json);
    expect(res.status).toBe(401);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('the author’s form DELETE without a valid token is a 403 and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Token needed to delete' });
    expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ _method: 'DELETE' })), badToken);
    expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ _method: 'DELETE', _csrf: 'forged' })), badToken);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('a cross-site DELETE is a 403 and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Not deleted from elsewhere' });
    expectForbiddenJson(await adaApi.delete(`/posts/${post.id}`).set(json).set('Sec-Fetch-Site', 'cross-site'), crossSite);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('deleting an unknown post is a 404 and deletes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.delete(`/posts/${await missingId('posts')}`).set(json);
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});
