import { z } from 'zod';
import { matchingId, requiredString, requiredText } from './field-schemas';

const MAX_KEY = 4096;

const secretFields = {
  access_key: requiredString(MAX_KEY),
  secret_key: requiredString(MAX_KEY),
  key_name: requiredText(255),
};

/** POST body; `id` must name one of `knownSiteIds`, so every bad field is reported in one 400. */
export function createSiteCredentialBody(knownSiteIds: readonly string[]) {
  const known = knownSiteIds.join(', ');
  return z.object({
    id: requiredString(64).refine((id) => knownSiteIds.includes(id), {
      error: (issue) => `${String(issue.input)} is not a known site; known sites: ${known}`,
    }),
    ...secretFields,
  });
}

/** PUT body: the same secrets; `id` is optional and must be the URL's. */
export function updateSiteCredentialBody(urlId: string) {
  return z.object({ id: matchingId(urlId), ...secretFields });
}
