import type { Knex } from 'knex';

/** The two users of the notes' user list. Safe to run again: existing emails are left alone. */
export async function seed(knex: Knex): Promise<void> {
  await knex('users')
    .insert([
      { name: 'alex', email: 'alex@example.com' },
      { name: 'eric', email: 'eric@example.com' },
    ])
    .onConflict('email')
    .ignore();
}
