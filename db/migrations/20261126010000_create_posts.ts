import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('posts', (table) => {
    table.increments('id');
    // A user with posts cannot be deleted by accident: delete or move the posts first.
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('RESTRICT').index();
    table.string('title', 200).notNullable();
    table.text('body').notNullable().defaultTo('');
    table.boolean('published').notNullable().defaultTo(false);
    table.timestamps(true, true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('posts');
}
