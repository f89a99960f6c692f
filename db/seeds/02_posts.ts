import type { Knex } from 'knex';

/** A few posts for the seeded users; added only when the table is empty. */
export async function seed(knex: Knex): Promise<void> {
  const existing = await knex('posts').count({ n: '*' }).first();
  if (Number(existing?.n) > 0) return;
  const users = await knex('users').whereIn('email', ['alex@example.com', 'eric@example.com']).select('id', 'name');
  const id = (name: string) => users.find((u: { name: string }) => u.name === name)?.id;
  await knex('posts').insert([
    { user_id: id('alex'), title: 'The essence of a web framework', body: 'A socket server, a URL table and a template.', published: true },
    { user_id: id('alex'), title: 'Draft: MVC and MTV', body: 'Models, views, controllers — and templates.', published: false },
    { user_id: id('eric'), title: 'Why a URL table', body: 'One place to read every page of the app.', published: true },
  ]);
}
