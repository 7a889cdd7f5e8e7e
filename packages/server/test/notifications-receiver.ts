/**
 * A real webhook receiver for the notification tests: an HTTP server on 127.0.0.1:0 that
 * records every request (headers and raw body) and answers with the status `respond` picks.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly eventId: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** The status for a request, given the requests received so far with the same event id. */
  respond: (request: ReceivedWebhook, earlierForSameEvent: number) => number;
  close(): Promise<void>;
}

export async function startReceiver(
  respond: WebhookReceiver['respond'] = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: Omit<WebhookReceiver, 'url' | 'close'> = { received, respond };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const eventId = String(req.headers['coffer-webhook-id'] ?? '');
      const request = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        eventId,
      };
      const earlier = received.filter((r) => r.eventId === eventId).length;
      received.push(request);
      res.statusCode = receiver.respond(request, earlier);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
