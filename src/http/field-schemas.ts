// Field schemas shared by the credential schemas: every string has an upper bound, and the messages
// say what was wrong so the 400's details are useful to a person reading curl output.
import { z } from 'zod';

/** Text without control characters: NUL above all, which PostgreSQL cannot store in a text column. */
export const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

/** A required, non-empty string of at most `max` characters. */
export function requiredString(max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
    // An empty value needs no further checks (pattern, PEM, URL) piled on top.
    .min(1, { error: 'must not be empty', abort: true })
    .max(max, `must be at most ${max} characters`);
}

/** A required string stored and shown as plain text (names, URLs), so without control characters. */
export function requiredText(max: number) {
  return requiredString(max).regex(NO_CONTROL_CHARS, 'must not contain control characters');
}

/**
 * The `id` of a PUT body: optional (the URL names the resource), but when given it must be the URL's,
 * since renaming through PUT is not supported.
 */
export function matchingId(urlId: string) {
  return z
    .string({ error: 'must be a string' })
    .refine((id) => id === urlId, `must match the id in the URL (${urlId}); ids cannot be changed`)
    .optional();
}
