/** A command line the CLI cannot run: reported with the usage text and exit code 1. */
export class UsageError extends Error {}
