import { before } from '../../framework';
import { Post } from '../models/Post';
import { User } from '../models/User';
import { ApplicationController } from './ApplicationController';
import { pageParams } from './concerns';

/**
 * Posts: all of them at /posts, one user's at /users/:userId/posts. HTML and JSON. Writing needs a
 * signed-in author. A draft is its author's alone: left out of others' lists, and 404 to them.
 */
export class PostsController extends ApplicationController {
  static override before = [
    ...ApplicationController.before,
    before('requireLogin', { except: ['index', 'show'] }),
    before('loadAuthor', { only: ['index', 'new', 'create'] }),
    before('loadPost', { only: ['show', 'edit', 'update', 'destroy'] }),
    before('requireAuthor', { only: ['edit', 'update', 'destroy'] }),
  ];

  private post!: Post;
  /** Set when the URL is nested under a user. */
  private author?: User;

  async loadAuthor() {
    if (this.params.userId !== undefined) this.author = await User.findOrFail(this.params.userId);
    // Only you write as you: /users/:userId/posts/new is for your own id.
    if (this.author && this.route.action !== 'index') this.authorize(this.author.id === this.currentUser?.id, 'You can only write posts as yourself.');
  }

  async requireAuthor() {
    this.authorize(this.post.user_id === this.currentUser?.id, 'You can only change your own posts.');
  }

  async loadPost() {
    this.post = await Post.findVisibleOrFail(this.params.id!, this.currentUser?.id);
    await Post.load([this.post], 'author');
  }

  /** GET /posts, GET /users/:userId/posts */
  async index() {
    const { page, per_page } = this.validate(pageParams, this.query);
    const query = Post.query().with('author').orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (this.author) query.where('user_id', this.author.id);
    Post.visibleTo(query, this.currentUser?.id);
    const posts = await Post.paginate(page, per_page, query);
    this.respond({
      html: () => this.render('index', { title: this.author ? `Posts by ${this.author.name}` : 'Posts', posts, author: this.author }),
      json: () => this.json(this.paginated(posts)),
    });
  }

  /** GET /posts/:id */
  async show() {
    this.respond({
      html: () => this.render('show', { title: this.post.title, post: this.post }),
      json: () => this.json(this.post),
    });
  }

  /** GET /posts/new, GET /users/:userId/posts/new */
  async new() {
    this.renderForm('new', { published: false }, {});
  }

  /** POST /posts, POST /users/:userId/posts */
  async create() {
    // The author is whoever is signed in, whatever the body says. Still request input: the schema checks it.
    const input: Record<string, unknown> = { ...this.body, user_id: this.currentUser!.id };
    const post = await this.rescueInvalid(
      () => Post.create(input),
      (errors) => this.renderForm('new', input, errors),
    );
    if (!post) return;
    const location = this.url('posts.show', { id: post.id });
    this.respond({
      html: () => {
        this.flash('notice', 'The post was published.');
        this.redirect(location, 303);
      },
      json: () => this.created(post, location),
    });
  }

  /** GET /posts/:id/edit */
  async edit() {
    this.renderForm('edit', this.post, {});
  }

  /** PATCH /posts/:id */
  async update() {
    const { user_id: _ignored, ...changes } = this.body;
    const post = await this.rescueInvalid(
      () => this.post.update(changes),
      (errors) => this.renderForm('edit', { ...this.post, ...this.body }, errors),
    );
    if (!post) return;
    await Post.load([post], 'author');
    this.respond({
      html: () => {
        this.flash('notice', 'The post was updated.');
        this.redirect(this.url('posts.show', { id: post.id }), 303);
      },
      json: () => this.json(post),
    });
  }

  /** DELETE /posts/:id */
  async destroy() {
    await this.post.delete();
    this.respond({
      html: () => {
        this.flash('notice', 'The post was deleted.');
        this.redirect(this.url('posts.index'), 303);
      },
      json: () => this.head(204),
    });
  }

  private renderForm(view: 'new' | 'edit', post: object, errors: Record<string, string[]>) {
    this.render(view, { title: view === 'new' ? 'New post' : 'Edit post', post, errors });
  }
}
