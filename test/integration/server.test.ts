import { connect } from 'node:net';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
let running: RunningServer;
beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PHANTOM_DATA_DIR: db.dataDir,
    PHANTOM_SECRET_KEY: 'ef'.repeat(32),
    PORT: '0',
    LOG_LEVEL: 'silent',
    PHANTOM_ENGINE: 'false',
  });
  running = await startServer(config);
});
afterAll(async () => {
  await running.stop();
  await db.drop();
});

/** Sends raw bytes and returns everything the server answers before closing. */
function raw(request: string): Promise<string> {
  return new Promise((resolveRaw, reject) => {
    const socket = connect(running.port, '127.0.0.1', () => socket.write(request));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolveRaw(out));
    socket.on('error', reject);
  });
}

function jsonBody(response: string): { success: boolean; message: string; code: string } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { success: boolean; message: string; code: string };
}

describe('requests the HTTP parser rejects', () => {
  it('answers headers over the limit with a JSON 431', async () => {
    const res = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
    expect(res).toMatch(/Content-Type: application\/json/);
    expect(jsonBody(res)).toMatchObject({ success: false, code: 'headers_too_large' });
  });

  it('answers a malformed request line with a JSON 400', async () => {
    const res = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 400 /);
    expect(jsonBody(res)).toMatchObject({ success: false, code: 'bad_request', message: expect.any(String) });
  });

  it('keeps serving afterwards', async () => {
    const res = await fetch(`http://127.0.0.1:${running.port}/healthz`);
    expect(res.status).toBe(200);
  });
});
