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
    this.plain(message);
  }

  async db() {
    this.json(await World.find(randomWorldId()));
  }

  /** The reads are independent, so they go out together (as the strict Express and Fastify apps send theirs). */
  async queries() {
    this.json(await Promise.all(Array.from({ length: queryCount(this.query.queries) }, () => World.find(randomWorldId()))));
  }

  async fortunes() {
    const fortunes = (await Fortune.all()).map((f) => ({ id: f.id, message: f.message }));
    fortunes.push({ id: 0, message: 'Additional fortune added at request time.' });
    fortunes.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    this.render('fortunes', { fortunes });
  }

  /** Reads together, then one UPDATE for every row (`updateMany`), as the other two apps write them. */
  async updates() {
    const worlds = await Promise.all(Array.from({ length: queryCount(this.query.queries) }, () => World.find(randomWorldId())));
    for (const world of worlds) world!.randomNumber = randomWorldId();
    await World.updateMany(worlds.map((world) => ({ id: world!.id, randomNumber: world!.randomNumber })));
    this.json(worlds);
  }
}
