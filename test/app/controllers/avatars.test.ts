import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { useTestApp } from '../../support/app';
import { createUser, csrfFrom, signIn } from '../../support/auth';

const uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-uploads-'));
const ctx = useTestApp({ UPLOADS_DIR: uploadsDir });

afterAll(() => fs.rmSync(uploadsDir, { recursive: true, force: true }));

// A 1×1 PNG, as a browser would send it.
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082', 'hex');
const stored = (userId: number) => path.join(uploadsDir, 'avatars', String(userId));

async function owner() {
  const user = await createUser();
  const session = await signIn(ctx.app, user.email);
  const form = await session.agent.get(`/users/${user.id}/avatar/edit`);
  expect(form.status).toBe(200);
  expect(form.text).toContain('enctype="multipart/form-data"');
  return { user, ...session, token: csrfFrom(form.text) };
}

describe('uploading an avatar (multipart form, multer as route middleware)', () => {
  test('the owner uploads through the form, with the token in a field: 303, stored, served back', async () => {
    const { user, agent, token } = await owner();
    const res = await agent.post(`/users/${user.id}/avatar`).field('_csrf', token).attach('avatar', png, { filename: 'me.png', contentType: 'image/png' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${user.id}`);
    expect(fs.readFileSync(stored(user.id)).equals(png)).toBe(true);

    const served = await agent.get(`/users/${user.id}/avatar`).buffer(true);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(served.body as Buffer, png)).toBe(0);
    const page = await agent.get(`/users/${user.id}`);
    expect(page.text).toContain('Your picture was updated.');
    expect(page.text).toContain(`<img class="avatar" src="/users/${user.id}/avatar"`);
  });

  test('without the token, or with a wrong one: 403 and nothing stored', async () => {
    const { user, agent } = await owner();
    const missing = await agent.post(`/users/${user.id}/avatar`).attach('avatar', png, { filename: 'me.png', contentType: 'image/png' });
    expect(missing.status).toBe(403);
    const wrong = await agent.post(`/users/${user.id}/avatar`).field('_csrf', 'not-the-token').attach('avatar', png, 'me.png');
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('did not come from this site');
    expect(fs.existsSync(stored(user.id))).toBe(false);
  });

  test('the token may come in the X-CSRF-Token header instead', async () => {
    const { user, agent, token } = await owner();
    const res = await agent.post(`/users/${user.id}/avatar`).set('X-CSRF-Token', token).set('Accept', 'application/json').attach('avatar', png, 'me.png');
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/users/${user.id}/avatar`);
    expect(fs.existsSync(stored(user.id))).toBe(true);
  });

  test('a file over 1 MB is a 413; one that is not an image is a 422 on the form; nothing is stored', async () => {
    const { user, agent, token } = await owner();
    const large = Buffer.concat([png, Buffer.alloc(1024 * 1024)]);
    const tooLarge = await agent.post(`/users/${user.id}/avatar`).field('_csrf', token).attach('avatar', large, 'big.png');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.text).toContain('The file is too large: at most 1 MB.');

    const notImage = await agent.post(`/users/${user.id}/avatar`).field('_csrf', token).attach('avatar', Buffer.from('<script>alert(1)</script>'), { filename: 'evil.png', contentType: 'image/png' });
    expect(notImage.status).toBe(422);
    expect(notImage.text).toContain('must be a PNG, JPEG, GIF or WebP image');
    expect(fs.existsSync(stored(user.id))).toBe(false);

    const json = await agent.post(`/users/${user.id}/avatar`).set('X-CSRF-Token', token).set('Accept', 'application/json').attach('avatar', Buffer.from('plain text'), 'a.txt');
    expect(json.status).toBe(422);
    expect(json.body.errors).toEqual({ avatar: ['must be a PNG, JPEG, GIF or WebP image'] });
  });

  test("another user's picture cannot be changed; signed out, the form sends you to sign in", async () => {
    const { agent, token } = await owner();
    const other = await createUser();
    const res = await agent.post(`/users/${other.id}/avatar`).field('_csrf', token).attach('avatar', png, 'me.png');
    expect(res.status).toBe(403);
    expect(fs.existsSync(stored(other.id))).toBe(false);
    const signedOut = await request(ctx.app).get(`/users/${other.id}/avatar/edit`);
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.location).toBe('/login/');
  });

  test('a user without a picture gets a placeholder with their initial', async () => {
    const user = await createUser({ name: 'zoe' });
    const res = await request(ctx.app).get(`/users/${user.id}/avatar`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.body.toString()).toContain('>Z</text>');
    expect((await request(ctx.app).get('/users/999999/avatar')).status).toBe(404);
  });
});
