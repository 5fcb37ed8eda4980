// Authentication exactly as the Phantom API describes: HTTP Basic `user_id:token` (curl -u, ~/.netrc)
// or `user` and `token` request parameters (query string or form body). Passport runs the strategies;
// every failure goes through the common error path as a 401 JSON body with WWW-Authenticate.
import type { Request, RequestHandler } from 'express';
import passport from 'passport';
// passport-http decodes with the deprecated `new Buffer()`; Node inspects the caller's stack for the
// first 10,000 such calls of a process only, so the cost fades after warm-up.
import { BasicStrategy } from 'passport-http';
import { Unauthorized } from '../errors';
import type { Principal, TokensService } from '../services/tokens.service';

type Verified = (err: unknown, principal?: Principal | false) => void;

/** Reads `user` and `token` from the query string or a form body. */
class TokenParamsStrategy extends passport.Strategy {
  override name = 'token-params';

  constructor(private readonly verify: (user: string, token: string, done: Verified) => void) {
    super();
  }

  override authenticate(req: Request): void {
    const pick = (key: string): string | undefined => {
      const fromQuery = req.query[key];
      if (typeof fromQuery === 'string') return fromQuery;
      const body: unknown = req.body;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const v = (body as Record<string, unknown>)[key];
        if (typeof v === 'string') return v;
        if (typeof v === 'number') return String(v);
      }
      return undefined;
    };
    const user = pick('user');
    const token = pick('token');
    if (user === undefined || token === undefined) return this.fail(401);
    this.verify(user, token, (err, principal) => {
      if (err) return this.error(err);
      if (!principal) return this.fail(401);
      this.success(principal);
    });
  }
}

function registerStrategies(tokens: TokensService): passport.PassportStatic {
  const verify = (user: string, token: string, done: Verified): void => {
    tokens.authenticate(user, token).then((p) => done(null, p ?? false), done);
  };
  const instance = new passport.Passport();
  instance.use('basic', new BasicStrategy(verify));
  instance.use('token-params', new TokenParamsStrategy(verify));
  return instance as unknown as passport.PassportStatic;
}

const MESSAGE =
  'Authentication required: send HTTP Basic credentials USER_ID:TOKEN (curl -u 1:TOKEN) or user and token parameters; get a token with POST /api/dev/token';

export function authenticate(tokens: TokensService): RequestHandler {
  const pp = registerStrategies(tokens);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const strategy = /^basic\s/i.test(header) ? 'basic' : 'token-params';
    const handler = pp.authenticate(strategy, { session: false }, (err: unknown, principal: Principal | false) => {
      if (err) return next(err);
      if (!principal) return next(new Unauthorized(MESSAGE));
      req.principal = principal;
      next();
    }) as RequestHandler;
    handler(req, res, next);
  };
}

/** The principal set by `authenticate`; routers behind it can rely on it. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Unauthorized(MESSAGE);
  return req.principal;
}
