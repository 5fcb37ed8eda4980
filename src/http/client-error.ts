// Requests Node's HTTP parser rejects (headers over its 16 KiB limit, a malformed request line)
// never reach Express; Node would answer with a bare status line. Answer them in the API's JSON
// error shape instead, then close the connection.
import type { Duplex } from 'node:stream';

interface ParserError extends Error {
  code?: string;
}

function response(status: number, reason: string, message: string, code: string): string {
  const body = JSON.stringify({ success: false, message, code });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function handleClientError(err: ParserError, socket: Duplex): void {
  // A reset or timed-out connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const text =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? response(431, 'Request Header Fields Too Large', 'Request headers are too large', 'headers_too_large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? response(408, 'Request Timeout', 'The request took too long to arrive', 'request_timeout')
        : response(400, 'Bad Request', 'Malformed HTTP request', 'bad_request');
  socket.end(text);
}
