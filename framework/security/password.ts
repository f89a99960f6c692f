import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** OWASP's scrypt recommendation: N = 2^17, r = 8, p = 1. */
export const recommendedCost = 17;
const keyLength = 32;

let defaultCost = recommendedCost;

/** Sets the work factor (log2 of scrypt's N) of new hashes; existing hashes keep their own. */
export function setPasswordCost(log2N: number): void {
  if (!Number.isInteger(log2N) || log2N < 10 || log2N > 20) throw new Error('password cost must be a whole number from 10 to 20');
  defaultCost = log2N;
}

function options(log2N: number): crypto.ScryptOptions {
  const N = 2 ** log2N;
  return { N, r: 8, p: 1, maxmem: 256 * N * 8 };
}

/** Hashes a password with scrypt and a random salt, as `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`. */
export async function hashPassword(password: string, log2N = defaultCost): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, keyLength, options(log2N));
  return ['scrypt', log2N, 8, 1, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Checks a password against a stored hash in constant time. With no stored hash (no such account) it
 * still does the same work, against a decoy, and answers false: both cases take as long. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? decoyHash()).split('$');
  const [scheme, cost, r, p, salt, hash] = parts;
  const log2N = Number(cost);
  if (parts.length !== 6 || scheme !== 'scrypt' || r !== '8' || p !== '1' || !(log2N >= 10 && log2N <= 20) || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, options(log2N));
  const matches = crypto.timingSafeEqual(actual, expected);
  return matches && stored !== null && stored !== undefined;
}

function decoyHash(): string {
  return ['scrypt', defaultCost, 8, 1, Buffer.alloc(16).toString('base64'), Buffer.alloc(keyLength).toString('base64')].join('$');
}
