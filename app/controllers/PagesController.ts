import { User } from '../models/User';
import { ApplicationController } from './ApplicationController';

/** The first pages of the application: a greeting, a static page and a template with data. */
export class PagesController extends ApplicationController {
  /** GET / — the greeting, linking to the other pages. */
  async home() {
    this.render('home', { title: 'Welcome' });
  }

  /** GET /index/ — a static page: the view has no data in it. */
  async index() {
    this.render('index', { title: 'A static page' });
  }

  /** GET /index1/ — a template filled with a name and the users from the database. */
  async index1() {
    const users = await User.alphabetical();
    const data = { name: 'John Doe', users };
    this.respond({
      html: () => this.render('index1', { title: 'Users', ...data }),
      json: () => this.json(data),
    });
  }
}
