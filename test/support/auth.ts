import request from 'supertest';
import type { TrestleApp } from '../../framework';
import { User } from '../../app/models/User';

export const testPassword = 'correct horse battery';

let counter = 0;

/** A new user with a known password (`testPassword`), hashed at the test cost. */
export async function createUser(overrides: { name?: string; email?: string; password?: string } = {}): Promise<User> {
  counter += 1;
  const name = overrides.name ?? `tester${counter}`;
  return User.create({ name, email: overrides.email ?? `${name.replace(/\W/g, '').toLowerCase()}${counter}@example.com`, password: overrides.password ?? testPassword });
}

/** The CSRF token in a page's forms. */
export function csrfFrom(html: string): string {
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** A browser-like agent (cookies kept) signed in through the real form; `csrf` is its current token. */
export async function signIn(app: TrestleApp, email: string, password = testPassword): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }> {
  const agent = request.agent(app);
  const form = await agent.get('/login/');
  const res = await agent.post('/login/').type('form').send({ _csrf: csrfFrom(form.text), email, password });
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed with ${res.status}`);
  // The session (and its token) was replaced at sign-in: read the new one from the sign-out button.
  const page = await agent.get('/');
  return { agent, csrf: csrfFrom(page.text) };
}

/** An agent signed in over JSON, as an API client with a cookie jar would be. */
export async function signInJson(app: TrestleApp, email: string, password = testPassword): Promise<ReturnType<typeof request.agent>> {
  const agent = request.agent(app);
  const res = await agent.post('/login/').set('Accept', 'application/json').send({ email, password });
  if (res.status !== 200) throw new Error(`JSON sign-in as ${email} failed with ${res.status}`);
  return agent;
}
