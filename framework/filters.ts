import type { Controller, ControllerClass } from './controller';

/** A function of the controller; declared as a method so a subclass's filters fit the base's list. */
type FilterFunction<C> = { bivarianceHack(controller: C): unknown }['bivarianceHack'];

/** A step run before an action: a method name of the controller, or a function of the controller. */
export type FilterRun<C extends Controller = Controller> = string | FilterFunction<C>;

/** A before-filter, limited to some actions with `only` or `except`. */
export interface Filter<C extends Controller = Controller> {
  run: FilterRun<C>;
  only?: readonly string[];
  except?: readonly string[];
}

/**
 * Declares a before-filter: `static before = [before('loadUser', { only: ['show', 'edit'] })]`.
 * A filter ends the request by responding (a redirect) or by throwing (`Forbidden`, `NotFound`).
 */
export function before<C extends Controller = Controller>(run: FilterRun<C>, options: { only?: readonly string[]; except?: readonly string[] } = {}): Filter<C> {
  return { run, ...options };
}

type CompiledFilter = (controller: Controller) => unknown;

/** The filters that apply to one action, resolved once when the routes are mounted. */
export function filtersFor(controller: ControllerClass, action: string): CompiledFilter[] {
  const declared = ((controller as unknown as { before?: readonly Filter[] }).before ?? []) as readonly Filter[];
  return declared
    .filter((f) => (!f.only || f.only.includes(action)) && !f.except?.includes(action))
    .map((f) => {
      if (typeof f.run === 'function') return f.run as CompiledFilter;
      const method = (controller.prototype as unknown as Record<string, unknown>)[f.run];
      if (typeof method !== 'function') throw new Error(`${controller.name}: before-filter "${f.run}" is not a method.`);
      return (c: Controller) => (method as () => unknown).call(c);
    });
}
