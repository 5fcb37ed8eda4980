// Entry point: `npm start` (= `npm run phantom -- serve`) and the admin CLI share it.
import { runCli } from './cli/cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`phantom: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
