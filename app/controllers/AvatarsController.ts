import { before } from '../../framework';
import { singleUpload } from '../middleware/uploads';
import { Avatar } from '../models/Avatar';
import { User } from '../models/User';
import { ApplicationController } from './ApplicationController';

/**
 * A user's picture: `GET /users/:userId/avatar` shows it; its owner changes it on
 * `GET /users/:userId/avatar/edit`, a multipart form that posts to `POST /users/:userId/avatar`.
 */
export class AvatarsController extends ApplicationController {
  /** Largest picture accepted; a larger upload is a 413 before the action runs. */
  static readonly maxBytes = 1024 * 1024;

  /** The route middleware of `create` (see config/routes.ts): parses the form, file in memory. */
  static readonly upload = singleUpload('avatar', { maxBytes: AvatarsController.maxBytes });

  static override before = [
    ...ApplicationController.before,
    before('requireLogin', { only: ['edit', 'create'] }),
    before('loadUser'),
    before('requireSelf', { only: ['edit', 'create'] }),
  ];

  private user!: User;

  async loadUser() {
    this.user = await User.findOrFail(this.params.userId!);
  }

  async requireSelf() {
    this.authorize(this.user.id === this.currentUser?.id, 'You can only change your own picture.');
  }

  /** GET /users/:userId/avatar — the picture, or a placeholder with the user's initial. */
  async show() {
    const avatar = await Avatar.find(this.user.id);
    // Revalidated on each view (ETag), so a new picture shows at once.
    this.response.setHeader('Cache-Control', 'no-cache');
    if (avatar) {
      this.response.type(avatar.type).send(avatar.bytes);
      return;
    }
    this.response.type('image/svg+xml').send(placeholder(this.user.name));
  }

  /** GET /users/:userId/avatar/edit — the upload form. */
  async edit() {
    this.render('edit', { title: 'Change your picture', user: this.user, errors: {} });
  }

  /** POST /users/:userId/avatar — multipart, field `avatar`; replaces the picture. */
  async create() {
    const file = (this.request as typeof this.request & { file?: { buffer: Buffer } }).file;
    const saved = await this.rescueInvalid(
      async () => {
        await Avatar.save(this.user.id, file?.buffer);
        return true;
      },
      (errors) => this.render('edit', { title: 'Change your picture', user: this.user, errors }),
    );
    if (!saved) return;
    const location = this.url('user_avatar', { userId: this.user.id });
    this.respond({
      html: () => {
        this.flash('notice', 'Your picture was updated.');
        this.redirect(this.url('users.show', { id: this.user.id }), 303);
      },
      json: () => this.created({ url: location }, location),
    });
  }
}

function placeholder(name: string): string {
  const initial = (name.trim()[0] ?? '?').toUpperCase().replace(/[<>&"']/g, '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" fill="#d8dee9"/><text x="24" y="31" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#3b4252">${initial}</text></svg>`;
}

