import { z } from 'zod';
import { hashPassword, hasMany, Model, verifyPassword, type ModelQuery, type Relations } from '../../framework';
import type { Users, UsersInsert } from '../../db/schema';
import { Post } from './Post';

/** What creating a user takes: a password, never its hash (`beforeSave` derives that). */
export type NewUser = Omit<UsersInsert, 'password_hash'> & { password: string };

/** Passwords: at least 8 characters; at most 128, refused rather than cut short. */
export const passwordRules = z.string({ message: "can't be blank" }).min(8, 'is too short (at least 8 characters)').max(128, 'is too long (at most 128 characters)');

/** A person who uses the application. Table `users`. */
export class User extends Model<Users, NewUser> {
  static override table = 'users';
  static override hidden = ['password_hash'];

  static override schema = z.object({
    name: z.string({ message: "can't be blank" }).trim().min(1, "can't be blank").max(100, 'is too long (at most 100 characters)'),
    email: z.string({ message: "can't be blank" }).trim().toLowerCase().max(254, 'is too long').email('is not a valid email address'),
    password: passwordRules,
  });

  static override relations: Relations = {
    // A function, so the two model files can import each other.
    posts: hasMany(() => Post, { foreignKey: 'user_id' }),
  };

  /** Loaded by `.with('posts')`. */
  declare posts?: Post[];
  /** Published posts, loaded by `User.withPublicCounts()`. */
  declare posts_count?: number;

  /** The password is never stored: its scrypt hash is. */
  static override async beforeSave(values: Record<string, unknown>): Promise<void> {
    if (typeof values.password === 'string') values.password_hash = await hashPassword(values.password);
    delete values.password;
  }

  /**
   * The user with this email and password, or undefined. An unknown email costs the same time as
   * a wrong password, so the answer does not tell which it was.
   */
  static async authenticate(email: unknown, password: unknown): Promise<User | undefined> {
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) return undefined;
    const user = email.length <= 254 && !email.includes('\u0000') ? await User.findBy({ email: email.trim().toLowerCase() }) : undefined;
    const valid = await verifyPassword(password, user?.password_hash);
    return valid ? user : undefined;
  }

  /** Everyone, by name, with their public counts: the list the demo pages show. */
  static alphabetical() {
    return User.withPublicCounts().orderBy('name');
  }

  /** Users with `posts_count`: how many posts they have published (drafts are nobody else's business). */
  static withPublicCounts(): ModelQuery<User> {
    const counted = User.query()
      .select('users.*')
      .select(User.db.raw('(select count(*)::int from posts where posts.user_id = users.id and posts.published) as posts_count'));
    return counted as unknown as ModelQuery<User>;
  }

  /** What anyone may see of a user: id, name and public counts; never the email. Embedded authors go out this way too. */
  override toJSON(): Record<string, unknown> {
    return { id: this.id, name: this.name, posts_count: this.posts_count };
  }

  /** What the user sees of their own account: the public view plus email and dates. */
  ownView(): Record<string, unknown> {
    return { ...this.toJSON(), email: this.email, created_at: this.created_at, updated_at: this.updated_at };
  }
}
