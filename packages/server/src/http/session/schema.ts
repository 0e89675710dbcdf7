import { z } from 'zod';

/** POST /api/session. Lengths are checked loosely here; a wrong value is simply INVALID_CREDENTIALS. */
export const signInBody = z.object({ email: z.string().max(1000), password: z.string().max(1024) });

/** POST /api/session/link. */
export const signInLinkBody = z.object({ token: z.string().max(200) });

/** POST /api/session/password. */
export const setPasswordBody = z.object({ password: z.unknown() });
