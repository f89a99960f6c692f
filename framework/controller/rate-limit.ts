import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Controller } from './controller';
import { ServiceUnavailable, TooManyRequests } from '../support';
import { before, type Filter } from './filters';
import { Model } from '../model';

export interface RateLimitOptions<C extends Controller> {
  /** Names the counter; two limits with one name share it. */
  name: string;
  /** Requests allowed per key… */
  to: number;
  /** …within this many seconds. */
  within: number;
  /** The key to count by (an IP, an account), of any length: it is stored hashed; `undefined` skips counting. */
  by: (controller: C) => string | undefined;
  only?: readonly string[];
  except?: readonly string[];
  message?: string;
  /**
   * `requests` (default): every request counts. `failures`: the filter only checks, and the
   * action counts what failed with `hit()` (sign-in attempts: a busy office signing in fine is
   * never throttled, a password-guesser is).
   */
  count?: 'requests' | 'failures';
}

export type RateLimitFilter<C extends Controller> = Filter<C> & {
  /** Counts one against this request's key (with `count: 'failures'`). */
  hit(controller: C): Promise<void>;
  /** Forgets the count of this request's key (after a successful sign-in, say). */
  reset(controller: C): Promise<void>;
};

/**
 * The `rate_limits` key a limit stores for an identifier: the limit's name and a SHA-256 of the
 * identifier, so every key has one length whatever the input (an email of any size, an IP).
 */
export function rateLimitKey(name: string, identifier: string): string {
  return `${name}:${hashed(identifier)}`;
}

const hashed = (identifier: string) => createHash('sha256').update(identifier).digest('base64url');

/**
 * A limiter that cannot count must not let requests through uncounted, nor blame the client:
 * any failure of its store (the table or the database away) is a 503, logged with its cause.
 */
function failClosed(error: unknown): never {
  throw new ServiceUnavailable(undefined, { cause: error });
}

/** Loaded on first use: an app without rate limits does not carry the library in memory. */
const limiterLibrary = () => require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');

/**
 * A before-filter that allows `to` requests per key `within` seconds, counted in the database's
 * `rate_limits` table so every process and instance shares the count; past it, a 429 with
 * `Retry-After`. As in Rails: `static before = [rateLimit({ name: 'sign-in', to: 10, within: 180, by: (c) => c.request.ip })]`.
 */
export function rateLimit<C extends Controller>(options: RateLimitOptions<C>): RateLimitFilter<C> {
  let limiter: RateLimiterPostgres | undefined;
  let limiterDb: Knex | undefined;
  const limiterFor = (db: Knex) => {
    if (!limiter || limiterDb !== db) {
      limiter = new (limiterLibrary().RateLimiterPostgres)({
        storeClient: db,
        storeType: 'knex',
        tableName: 'rate_limits',
        tableCreated: true, // by the migrations
        keyPrefix: options.name,
        points: options.to,
        duration: options.within,
      });
      limiterDb = db;
    }
    return limiter;
  };
  const consume = async (key: string) => {
    try {
      await limiterFor(Model.db).consume(key);
    } catch (error) {
      if (error instanceof limiterLibrary().RateLimiterRes) throw new TooManyRequests(error.msBeforeNext / 1000, options.message);
      failClosed(error);
    }
  };
  // The identifier as the limiter stores it (see `rateLimitKey`); rate-limiter-flexible adds the name.
  const keyOf = (controller: C) => {
    const identifier = options.by(controller);
    return identifier === undefined ? undefined : hashed(identifier);
  };
  const filter = before<C>(
    async (controller) => {
      const key = keyOf(controller);
      if (key === undefined) return;
      if (options.count !== 'failures') return consume(key);
      const state = await limiterFor(Model.db).get(key).catch(failClosed);
      if (state && state.consumedPoints >= options.to) throw new TooManyRequests(state.msBeforeNext / 1000, options.message);
    },
    { only: options.only, except: options.except },
  );
  return Object.assign(filter, {
    async hit(controller: C) {
      const key = keyOf(controller);
      if (key !== undefined) await consume(key).catch((error: unknown) => (error instanceof TooManyRequests ? undefined : Promise.reject(error)));
    },
    async reset(controller: C) {
      const key = keyOf(controller);
      if (key !== undefined) await limiterFor(Model.db).delete(key).catch(failClosed);
    },
  });
}
