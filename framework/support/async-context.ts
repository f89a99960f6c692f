import { promiseHooks } from 'node:v8';

/**
 * Values that follow the code that set them through promise chains (`await`, `.then`): the request
 * an action's statements belong to, the transaction a model call must use.
 *
 * AsyncLocalStorage does this, but on Node 20 it runs the whole async_hooks machinery for every
 * promise, timer and tick (ids, resource objects, a hook per storage) once any storage is used:
 * about a twentieth of a simple request's CPU. Only promise chains matter here, so this uses V8's
 * promise hooks directly: a new promise remembers the current frame (one small array holding every
 * context's value); while its reactions run, that frame is current. Plain callbacks (timers,
 * sockets, events) carry no frame: what they start belongs to no request and no transaction.
 */
type Frame = readonly unknown[];

const frameOf = Symbol('trestle.frame');

type Tracked = Promise<unknown> & { [frameOf]?: Frame };

let current: Frame | undefined;
let installed = false;
let slots = 0;

function install(): void {
  installed = true;
  promiseHooks.onInit((promise: Tracked) => {
    if (current !== undefined) promise[frameOf] = current;
  });
  promiseHooks.onBefore((promise: Tracked) => {
    current = promise[frameOf];
  });
  promiseHooks.onAfter(() => {
    current = undefined;
  });
}

/** One value carried along promise chains: `context.run(value, work)`, then `context.get()` anywhere below. */
export class PromiseContext<T> {
  private readonly slot = slots++;

  /** Runs `work` with this context set to `value`; promises it creates (and their reactions) see it too. */
  run<R>(value: T, work: () => R): R {
    if (!installed) install();
    const previous = current;
    // Sized for every context at once: an empty array given a value at slot 2 would grow to 17.
    const frame = previous ? previous.slice() : new Array<unknown>(slots);
    frame[this.slot] = value;
    current = frame;
    try {
      return work();
    } finally {
      current = previous;
    }
  }

  /** The value set by the `run` this code descends from, if any. */
  get(): T | undefined {
    return current?.[this.slot] as T | undefined;
  }
}
