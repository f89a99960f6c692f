import { before, Controller } from '../../framework';
import { User } from '../models/User';
import { pageParams } from './concerns';

/** The users resource, as HTML pages and as a JSON API from the same actions. */
export class UsersController extends Controller {
  static override before = [before('loadUser', { only: ['show', 'edit', 'update', 'destroy'] })];

  private user!: User;

  async loadUser() {
    this.user = await User.findOrFail(this.params.id!);
  }

  /** GET /users */
  async index() {
    const { page, per_page } = this.validate(pageParams, this.query);
    const users = await User.paginate(page, per_page, User.alphabetical());
    this.respond({
      html: () => this.render('index', { title: 'Users', users }),
      json: () => this.json(this.paginated(users)),
    });
  }

  /** GET /users/:id */
  async show() {
    const posts = await this.user.related('posts').orderBy('created_at', 'desc');
    this.respond({
      html: () => this.render('show', { title: this.user.name, user: this.user, posts }),
      json: () => this.json(this.user),
    });
  }

  /** GET /users/new */
  async new() {
    this.render('new', { title: 'New user', user: {}, errors: {} });
  }

  /** POST /users */
  async create() {
    const user = await this.rescueInvalid(
      () => User.create(this.body),
      (errors) => this.render('new', { title: 'New user', user: this.body, errors }),
    );
    if (!user) return;
    const location = this.url('users.show', { id: user.id });
    this.respond({
      html: () => {
        this.flash('notice', `${user.name} was added.`);
        this.redirect(location, 303);
      },
      json: () => this.created(user, location),
    });
  }

  /** GET /users/:id/edit */
  async edit() {
    this.render('edit', { title: `Edit ${this.user.name}`, user: this.user, errors: {} });
  }

  /** PATCH /users/:id */
  async update() {
    const user = await this.rescueInvalid(
      () => this.user.update(this.body),
      (errors) => this.render('edit', { title: `Edit ${this.user.name}`, user: { ...this.user, ...this.body }, errors }),
    );
    if (!user) return;
    this.respond({
      html: () => {
        this.flash('notice', `${user.name} was updated.`);
        this.redirect(this.url('users.show', { id: user.id }), 303);
      },
      json: () => this.json(user),
    });
  }

  /** DELETE /users/:id */
  async destroy() {
    await this.user.delete();
    this.respond({
      html: () => {
        this.flash('notice', `${this.user.name} was deleted.`);
        this.redirect(this.url('users.index'), 303);
      },
      json: () => this.head(204),
    });
  }
}
