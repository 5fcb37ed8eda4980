import { Router, type RequestHandler } from 'express';
import type { TokensService } from '../services/tokens.service';
import { principalOf } from './auth';
import { sendJson, sendNoContent } from './respond';
import { route } from './route';
import { loginBody, revokeQuery } from './tokens.schemas';

/** POST /api/dev/token (public); DELETE /api/dev/token revokes (an extension; needs auth). */
export function tokensRouter(tokens: TokensService, auth: RequestHandler): Router {
  const router = Router();
  route(router, '/token', {
    post: async (req, res) => {
      const { username, password } = loginBody.parse(req.body);
      const issued = await tokens.login(username, password, req.ip ?? 'unknown');
      sendJson(req, res, 200, { token: issued.token, user: issued.user, success: true });
    },
    delete: [
      auth,
      async (req, res) => {
        const { all } = revokeQuery.parse(req.query);
        await tokens.revoke(principalOf(req), all === 'true');
        sendNoContent(res);
      },
    ],
  });
  return router;
}
