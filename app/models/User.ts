import { z } from 'zod';
import { hasMany, Model, type Relations } from '../../framework';
import { Post } from './Post';

export interface UserRow {
  id: number;
  name: string;
  email: string;
  created_at: Date;
  updated_at: Date;
}

/** A person who uses the application. Table `users`. */
export class User extends Model<UserRow> {
  static override table = 'users';

  static override schema = z.object({
    name: z.string().trim().min(1, "can't be blank").max(100, 'is too long (at most 100 characters)'),
    email: z.string().trim().toLowerCase().max(254, 'is too long').email('is not a valid email address'),
  });

  static override relations: Relations = {
    // A function, so the two model files can import each other.
    posts: hasMany(() => Post, { foreignKey: 'user_id' }),
  };

  /** Loaded by `.with('posts')`. */
  declare posts?: Post[];

  /** Everyone, by name: the list the demo pages show. */
  static alphabetical() {
    return User.query().orderBy('name');
  }
}
