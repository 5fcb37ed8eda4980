import pino, { type Logger } from 'pino';

export type { Logger };

// Defence in depth: request logging never records bodies, headers or query strings, but should any
// of these keys reach a log call they are censored.
const REDACT = [
  'password', 'token', 'secret_key', 'secretKey', 'access_key', 'accessKey', 'client_key', 'clientKey',
  'validator_key', 'validatorKey', 'authorization', '*.password', '*.token', '*.secret_key', '*.secretKey',
  '*.access_key', '*.client_key', '*.validator_key', '*.authorization', 'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'phantom' } }, destination);
}
