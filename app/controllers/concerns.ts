import { z } from 'zod';

/** `?page=2&per_page=20` on every list: whole numbers, 1–100 per page. */
export const pageParams = z.object({
  page: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').default(1),
  per_page: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(20),
});
