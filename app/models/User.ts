import { z } from 'zod';
import { Model } from '../../framework';

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

  /** Everyone, by name: the list the demo pages show. */
  static alphabetical() {
    return User.query().orderBy('name');
  }
}
