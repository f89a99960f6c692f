import type { Knex } from 'knex';

// scrypt (N=2^17, r=8, p=1) hashes of the development passwords "alex-dev-password" and
// "eric-dev-password". Outside production only: a production database gets the users without
// passwords, and nobody can sign in as them.
const developmentPasswords: Record<string, string> = {
  'alex@example.com': 'scrypt$17$8$1$Bf7zcSJNULpVJsAGz34hhA==$Wa9Rm06UpxIQhbecKkn9PMOYJlhKZFOE4yrqHjAZT6M=',
  'eric@example.com': 'scrypt$17$8$1$mu++n7kZhwRLtydHlcutLA==$Yqhad978AORC1P0YUAfcCLmzaDZIRT+5STtPpAFXtc4=',
};

/** The two users of the notes' user list. Safe to run again: existing emails are left alone. */
export async function seed(knex: Knex): Promise<void> {
  const production = process.env.NODE_ENV === 'production';
  const users = [
    { name: 'alex', email: 'alex@example.com' },
    { name: 'eric', email: 'eric@example.com' },
  ].map((user) => ({ ...user, password_hash: production ? null : developmentPasswords[user.email] }));
  await knex('users').insert(users).onConflict('email').ignore();
}
