import { before, Controller, Forbidden, Unauthorized } from '../../framework';
import { User } from '../models/User';

/** What every controller of this application shares: who is signed in, and the checks that use it. */
export class ApplicationController extends Controller {
  static override before = [before('loadCurrentUser')];

  /** The signed-in user, if any; views see it as `currentUser`. */
  currentUser?: User;

  async loadCurrentUser() {
    const userId = this.session?.userId;
    if (userId !== undefined) {
      this.currentUser = await User.find(userId);
      if (!this.currentUser) await this.signOut(); // the account was deleted
      // A signed-in page is nobody else's: not kept by shared caches, nor shown again by Back after sign-out.
      else this.response.setHeader('Cache-Control', 'no-store');
    }
    this.response.locals.currentUser = this.currentUser;
  }

  /** Before-filter: browsers are sent to the sign-in page (and back afterwards); API clients get 401. */
  async requireLogin() {
    if (this.currentUser) return;
    if (this.wantsJson) throw new Unauthorized();
    if (this.request.method === 'GET') this.session.returnTo = this.request.originalUrl;
    this.flash('alert', 'Please sign in first.');
    this.redirect(this.url('login'), 303);
  }

  /** Throws 403 unless `allowed`: `this.authorize(post.user_id === this.currentUser?.id)`. */
  authorize(allowed: boolean, message = 'You can only change your own records.') {
    if (!allowed) throw new Forbidden(message);
  }
}

declare module 'express-session' {
  interface SessionData {
    /** Where to go after signing in. */
    returnTo?: string;
  }
}
