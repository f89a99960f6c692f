import { Controller } from '../../framework';

/** Signing in and out. */
export class SessionsController extends Controller {
  /** GET /login/ — the sign-in form. */
  async new() {
    this.render('new', { title: 'Sign in' });
  }
}
