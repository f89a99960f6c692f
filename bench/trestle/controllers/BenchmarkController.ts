import { before, Controller } from '../../../framework';
import { queryCount, randomWorldId } from '../../schema';
import { Fortune } from '../models/Fortune';
import { World } from '../models/World';

const message = 'Hello, World!';

/** TechEmpower's six tests, written as any Trestle controller would be. */
export class BenchmarkController extends Controller {
  static override before = [before((c: Controller) => c.response.setHeader('Server', 'Trestle'))];

  /** GET /json (the action cannot be called `json`: that is how every controller answers JSON). */
  async hello() {
    this.json({ message });
  }

  async plaintext() {
    this.response.type('text/plain').send(message);
  }

  async db() {
    this.json(await World.find(randomWorldId()));
  }

  async queries() {
    const worlds = [];
    for (let i = queryCount(this.query.queries); i > 0; i--) worlds.push(await World.find(randomWorldId()));
    this.json(worlds);
  }

  async fortunes() {
    const fortunes = (await Fortune.all()).map((f) => ({ id: f.id, message: f.message }));
    fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
    fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    this.render('fortunes', { fortunes });
  }

  async updates() {
    const worlds = [];
    for (let i = queryCount(this.query.queries); i > 0; i--) {
      const world = (await World.find(randomWorldId()))!;
      world.randomNumber = randomWorldId();
      worlds.push(world);
    }
    for (const world of worlds) await World.update(world.id, { randomNumber: world.randomNumber });
    this.json(worlds);
  }
}
