// Turns zod issues about a site's `options` into the registry's "options.<name>: <problem>" lines,
// one per problem, so an operator sees every mistake in a sites file at once.
import type { z } from 'zod';

export function optionProblems(error: z.ZodError): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`options.${key}: unknown option`);
      continue;
    }
    const path = issue.path.map(String).join('.');
    problems.push(`options${path ? `.${path}` : ''}: ${issue.message}`);
  }
  return problems;
}
