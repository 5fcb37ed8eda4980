import { z } from 'zod';
import { CHEF_ID_PATTERN, MAX_CHEF_ID_LENGTH } from '../services/chef-credentials.service';
import { matchingId, NO_CONTROL_CHARS, requiredString, requiredText } from './field-schemas';

/** Generous for RSA-8192 PEM keys, small enough to keep rows modest. */
const MAX_PEM = 16 * 1024;
const DEFAULT_VALIDATION_CLIENT = 'chef-validator';

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const pemKey = requiredString(MAX_PEM).refine(
  (key) => key.trimStart().startsWith('-----BEGIN'),
  'must be a PEM private key (starting with -----BEGIN)',
);

const chefFields = {
  server_url: requiredText(2048).refine(isHttpUrl, 'must be an http:// or https:// URL'),
  client_name: requiredText(255),
  // Form clients send an empty field for "not given".
  validation_client_name: z
    .string({ error: 'must be a string' })
    .max(255, 'must be at most 255 characters')
    .regex(NO_CONTROL_CHARS, 'must not contain control characters')
    .optional()
    .transform((v) => v || DEFAULT_VALIDATION_CLIENT),
  client_key: pemKey,
  validator_key: pemKey,
};

export const createChefCredentialBody = z.object({
  id: requiredString(MAX_CHEF_ID_LENGTH)
    .regex(CHEF_ID_PATTERN, 'may contain only letters, digits, - _ and .')
    .refine((id) => id !== '.' && id !== '..', 'must not be . or .. (they cannot appear in a URL)'),
  ...chefFields,
});

export function updateChefCredentialBody(urlId: string) {
  return z.object({ id: matchingId(urlId), ...chefFields });
}

/** The parsed fields, without the id (which the URL or the create body supplies). */
export type ChefCredentialFields = Omit<z.output<typeof createChefCredentialBody>, 'id'>;
