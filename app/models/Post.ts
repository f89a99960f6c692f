import { z } from 'zod';
import { belongsTo, fields, Model, NotFound, type ModelQuery, type Relations } from '../../framework';
import type { Posts, PostsInsert } from '../../db/schema';
import { User } from './User';

/** A post written by a user. Table `posts`. */
export class Post extends Model<Posts, PostsInsert> {
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

  /** A draft is its author's alone; a published post is everyone's. */
  isVisibleTo(viewerId: number | undefined): boolean {
    return this.published || (viewerId !== undefined && this.user_id === viewerId);
  }

  /** Narrows `query` to the posts `viewerId` may see: published ones, and their own drafts. */
  static visibleTo(query: ModelQuery<Post>, viewerId: number | undefined): ModelQuery<Post> {
    if (viewerId === undefined) return query.where('posts.published', true);
    return query.where((visible) => visible.where('posts.published', true).orWhere('posts.user_id', viewerId));
  }

  /** The post with this id if `viewerId` may see it; otherwise the same 404 as a missing post, so a draft's existence does not leak. */
  static async findVisibleOrFail(id: number | string, viewerId: number | undefined): Promise<Post> {
    const post = await Post.find(id);
    if (!post || !post.isVisibleTo(viewerId)) throw new NotFound(`Post ${String(id).slice(0, 40)} does not exist.`);
    return post;
  }

  /** Named scope: the posts everyone can read, newest first. */
  static published() {
    return Post.query().where('published', true).orderBy('created_at', 'desc').orderBy('id', 'desc');
  }
}
