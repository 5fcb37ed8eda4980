import { z } from 'zod';

export const loginBody = z.object({
  username: z.string({ error: 'required' }).min(1, 'required').max(256),
  password: z.string({ error: 'required' }).min(1, 'required').max(1024),
});

export const revokeQuery = z.object({
  all: z.enum(['true', 'false']).optional(),
});
