import { before } from '../../framework';
import type { Post } from '../models/Post';
import { User } from '../models/User';
import { ApplicationController } from './ApplicationController';
import { pageParams } from './concerns';

/** The users resource, as HTML pages and as a JSON API from the same actions. Creating a user is signing up. */
export class UsersController extends ApplicationController {
  static override before = [
    ...ApplicationController.before,
    before('requireLogin', { only: ['edit', 'update', 'destroy'] }),
    before('loadUser', { only: ['show', 'edit', 'update', 'destroy'] }),
    before('requireSelf', { only: ['edit', 'update', 'destroy'] }),
  ];

  private user!: User;

  async loadUser() {
    this.user = await User.findOrFail(this.params.id!);
  }

  async requireSelf() {
    this.authorize(this.isSelf(this.user), 'You can only change your own account.');
  }

  private isSelf(user: User): boolean {
    return user.id === this.currentUser?.id;
  }

  /** A user as this visitor may see them: their own account in full, anyone else's public view (no email). */
  private shown(user: User): Record<string, unknown> {
    return this.isSelf(user) ? user.ownView() : user.toJSON();
  }

  /** GET /users */
  async index() {
    const { page, per_page } = this.validate(pageParams, this.query);
    const users = await User.paginate(page, per_page, User.alphabetical());
    this.respond({
      html: () => this.render('index', { title: 'Users', users }),
      json: () => {
        const page = this.paginated(users);
        this.json({ ...page, data: page.data.map((user) => this.shown(user)) });
      },
    });
  }

  /** GET /users/:id */
  async show() {
    const posts: Post[] = await this.user.related('posts').orderBy('created_at', 'desc').orderBy('id', 'desc');
    const published = posts.filter((post) => post.published);
    this.user.posts_count = published.length;
    // Drafts are their author's alone.
    const visible = this.isSelf(this.user) ? posts : published;
    this.respond({
      html: () => this.render('show', { title: this.user.name, user: this.user, posts: visible }),
      json: () => this.json(this.shown(this.user)),
    });
  }

  /** GET /users/new, GET /signup — the sign-up form. */
  async new() {
    this.render('new', { title: 'Sign up', user: {}, errors: {} });
  }

  /** POST /users — signs up and signs in. */
  async create() {
    const user = await this.rescueInvalid(
      () => User.create(this.body),
      (errors) => this.render('new', { title: 'Sign up', user: withoutPassword(this.body), errors }),
    );
    if (!user) return;
    await this.signIn(user.id);
    const location = this.url('users.show', { id: user.id });
    this.respond({
      html: () => {
        this.flash('notice', `Welcome, ${user.name}! Your account is ready.`);
        this.redirect(location, 303);
      },
      json: () => this.created(user.ownView(), location),
    });
  }

  /** GET /users/:id/edit */
  async edit() {
    this.render('edit', { title: `Edit ${this.user.name}`, user: this.user, errors: {} });
  }

  /** PATCH /users/:id — a blank password field leaves the password as it is. */
  async update() {
    const input = this.body.password === '' ? withoutPassword(this.body) : this.body;
    const user = await this.rescueInvalid(
      () => this.user.update(input),
      (errors) => this.render('edit', { title: `Edit ${this.user.name}`, user: { ...this.user, ...withoutPassword(this.body) }, errors }),
    );
    if (!user) return;
    this.respond({
      html: () => {
        this.flash('notice', `${user.name} was updated.`);
        this.redirect(this.url('users.show', { id: user.id }), 303);
      },
      json: () => this.json(user.ownView()),
    });
  }

  /** DELETE /users/:id — deletes your own account and signs you out. */
  async destroy() {
    await this.user.delete();
    await this.signOut();
    this.respond({
      html: () => {
        this.flash('notice', `${this.user.name} was deleted.`);
        this.redirect(this.url('users.index'), 303);
      },
      json: () => this.head(204),
    });
  }
}

/** Input as it goes back into a form: a password is never echoed. */
function withoutPassword(body: Record<string, unknown>): Record<string, unknown> {
  const { password: _password, ...rest } = body;
  return rest;
}
