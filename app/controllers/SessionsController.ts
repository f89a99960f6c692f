import { rateLimit, Unauthorized } from '../../framework';
import { User } from '../models/User';
import { ApplicationController } from './ApplicationController';

const fifteenMinutes = 15 * 60;
const normalizedEmail = (c: ApplicationController) => {
  const email = c.body.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase().replace(/\u0000/g, '') : undefined;
};

/**
 * Failed sign-ins per address and per account, counted in the database so every process agrees;
 * past the limit even the right password waits (429 with Retry-After).
 */
const perAddress = rateLimit({ name: 'sign-in-ip', to: 20, within: fifteenMinutes, by: (c) => c.request.ip, only: ['create'], count: 'failures' });
const perAccount = rateLimit({ name: 'sign-in-account', to: 5, within: fifteenMinutes, by: normalizedEmail, only: ['create'], count: 'failures' });

/** Signing in and out. */
export class SessionsController extends ApplicationController {
  static override before = [...ApplicationController.before, perAddress, perAccount];

  /** GET /login/ — the sign-in form. */
  async new() {
    this.render('new', { title: 'Sign in', values: {}, failed: false });
  }

  /** POST /login/ — one answer for an unknown email and a wrong password. */
  async create() {
    const user = await User.authenticate(this.body.email, this.body.password);
    if (!user) {
      await Promise.all([perAddress.hit(this), perAccount.hit(this)]);
      if (this.wantsJson) throw new Unauthorized('Invalid email or password.');
      return this.render('new', { title: 'Sign in', values: { email: this.body.email }, failed: true }, { status: 401 });
    }
    const returnTo = this.session.returnTo;
    await perAccount.reset(this);
    await this.signIn(user.id);
    this.respond({
      html: () => {
        this.flash('notice', `Signed in as ${user.name}.`);
        this.redirect(returnTo?.startsWith('/') && !returnTo.startsWith('//') ? returnTo : this.url('root'), 303);
      },
      json: () => this.json(user.ownView()), // your own account, so with your email
    });
  }

  /** POST /logout — the session is destroyed; its id no longer signs anyone in. */
  async destroy() {
    await this.signOut();
    this.respond({
      html: () => {
        this.flash('notice', 'Signed out.');
        this.redirect(this.url('root'), 303);
      },
      json: () => this.head(204),
    });
  }
}
