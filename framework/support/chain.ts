import type { RequestHandler } from 'express';

/**
 * Runs middleware in order as one Express handler. Each step costs one call instead of a pass
 * through Express's router (its layer matching, prefix trimming and parameter handling). An
 * error, passed to `next`, thrown, or (as Express 5 allows) the rejection of a returned promise,
 * skips the rest and goes to `done`, Express's error handlers.
 */
export function chain(steps: readonly RequestHandler[]): RequestHandler {
  return function runSteps(request, response, done) {
    let position = 0;
    const next = (error?: unknown): void => {
      // `next('route')` and `next('router')` leave the rest of the chain, as they leave a route in Express.
      if (error === 'route' || error === 'router') return done();
      if (error) return done(error);
      const step = steps[position++];
      if (step === undefined) return done();
      try {
        const result: unknown = step(request, response, next);
        if (result instanceof Promise) result.then(undefined, (rejected: unknown) => done(rejected ?? new Error('Rejected promise')));
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}
