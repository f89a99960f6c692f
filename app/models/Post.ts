import { z } from 'zod';
import { belongsTo, fields, Model, type Relations } from '../../framework';
import { User } from './User';

export interface PostRow {
  id: number;
  user_id: number;
  title: string;
  body: string;
  published: boolean;
  created_at: Date;
  updated_at: Date;
}

/** A post written by a user. Table `posts`. */
export class Post extends Model<PostRow> {
  static override table = 'posts';

  static override schema = z.object({
    user_id: fields.id(),
    title: z.string({ message: "can't be blank" }).trim().min(1, "can't be blank").max(200, 'is too long (at most 200 characters)'),
    body: z.string().max(20000, 'is too long (at most 20000 characters)').default(''),
    published: fields.boolean().default(false),
  });

  static override relations: Relations = {
    author: belongsTo(() => User, { foreignKey: 'user_id' }),
  };

  /** Loaded by `.with('author')`. */
  declare author?: User;

  /** Named scope: the posts everyone can read, newest first. */
  static published() {
    return Post.query().where('published', true).orderBy('created_at', 'desc').orderBy('id', 'desc');
  }
}
