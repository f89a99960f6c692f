/** A function of the controller; declared as a method so a subclass's filters fit the base's list. */
type FilterFunction<C> = { bivarianceHack(controller: C): unknown }['bivarianceHack'];

/** A step run before an action: a method name of the controller, or a function of the controller. */
export type FilterRun<C = never> = string | FilterFunction<C>;

/** A before-filter, limited to some actions with `only` or `except`. */
export interface Filter<C = never> {
  run: FilterRun<C>;
  only?: readonly string[];
  except?: readonly string[];
}

/**
 * Declares a before-filter: `static before = [before('loadUser', { only: ['show', 'edit'] })]`.
 * A filter ends the request by responding (a redirect) or by throwing (`Forbidden`, `NotFound`).
 */
export function before<C = never>(run: FilterRun<C>, options: { only?: readonly string[]; except?: readonly string[] } = {}): Filter<C> {
  return { run, ...options };
}

type CompiledFilter<C> = (controller: C) => unknown;

/** A class whose actions filters guard: its `static before` list and its methods (a controller). */
interface Filtered<C> {
  readonly name: string;
  readonly prototype: C;
  readonly before?: readonly Filter<never>[];
}

/** The filters that apply to one action, resolved once when the routes are mounted. */
export function filtersFor<C extends object>(controller: Filtered<C>, action: string): CompiledFilter<C>[] {
  const declared = ((controller as unknown as { before?: readonly Filter[] }).before ?? []) as readonly Filter[];
  return declared
    .filter((f) => (!f.only || f.only.includes(action)) && !f.except?.includes(action))
    .map((f) => {
      if (typeof f.run === 'function') return f.run as CompiledFilter<C>;
      const method = (controller.prototype as unknown as Record<string, unknown>)[f.run];
      if (typeof method !== 'function') throw new Error(`${controller.name}: before-filter "${f.run}" is not a method.`);
      return (c: C) => (method as () => unknown).call(c);
    });
}
