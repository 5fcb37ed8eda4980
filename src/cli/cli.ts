// The admin command line: `npm run phantom -- <command>`. Prints JSON on stdout; a problem is one
// line on stderr and a non-zero exit code.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config';
import { createContainer, type Container } from '../container';
import { migrate } from '../db/migrator';
import { PhantomError } from '../errors';
import { startServer } from '../server';
import { simCommand } from './sim';
import { UsageError } from './usage-error';

const USAGE = `usage: npm run phantom -- <command>
  serve                                  run the API server (what npm start runs)
  migrate                                apply pending database migrations
  user create NAME [--password PW]       create a user (a password is generated if omitted)
  user list                              list users
  user delete NAME                       delete a user and everything it owns
  user password NAME [--password PW]     set a new password; revokes the user's tokens
  sim instances [--site ID]              every VM the simulated cloud holds (all installations), as JSON`;

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

async function withContainer<T>(config: Config, fn: (c: Container) => Promise<T>): Promise<T> {
  await migrate(config.database.kind, config.database.url);
  const c = await createContainer(config, { logger: undefined });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

async function userCommand(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { password: { type: 'string' } }, allowPositionals: true });
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  const needName = (): string => {
    if (!name) throw new UsageError(`user ${sub} needs a NAME`);
    return name;
  };
  switch (sub) {
    case 'create':
      return withContainer(config, async (c) => print(await c.users.create(needName(), values.password)));
    case 'list':
      return withContainer(config, async (c) => print(await c.users.list()));
    case 'delete':
      return withContainer(config, async (c) => {
        const username = needName();
        await c.users.delete(username);
        print({ deleted: username });
      });
    case 'password':
      return withContainer(config, async (c) => print({ ...(await c.users.setPassword(needName(), values.password)), tokens_revoked: true }));
    default:
      throw new UsageError(sub ? `unknown user command: ${sub}` : 'user needs a command: create, list, delete, password');
  }
}

async function serve(config: Config): Promise<void> {
  const running = await startServer(config);
  const onSignal = (signal: NodeJS.Signals): void => {
    running.container.logger.info({ signal }, 'signal received');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Runs one command. Returns the exit code, or null when the command keeps running (serve). */
export async function runCli(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help') {
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    }
    const config = loadConfig();
    switch (command) {
      case 'serve':
        await serve(config);
        return null;
      case 'migrate': {
        const applied = await migrate(config.database.kind, config.database.url);
        print({ applied });
        return 0;
      }
      case 'user':
        await userCommand(config, rest);
        return 0;
      case 'sim':
        print(await simCommand(config, rest));
        return 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
    } else if (err instanceof UsageError || err instanceof PhantomError) {
      process.stderr.write(`phantom: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write(USAGE + '\n');
    } else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`phantom: ${err.message}\n`);
    } else {
      throw err;
    }
    return 1;
  }
}
