import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One SNS delivery as the sandbox sent it: its headers and its JSON body. */
export interface SnsDelivery {
  headers: Record<string, string>;
  body: string;
}

/**
 * Sits between the sandbox's SNS subscription and the portal: forwards each
 * delivery and answers with the portal's status, except a notification it
 * was asked to hold, which it keeps (answering 200, as a receiver that took
 * it would) so a test can post that genuine signed message itself.
 */
export interface SnsRelay {
  url: string;
  /** Keeps the next Notification instead of forwarding it. */
  holdNextNotification(): void;
  /** The held notification, once one arrived. */
  held(): SnsDelivery | undefined;
  close(): Promise<void>;
}

const FORWARDED = [
  'content-type',
  'x-amz-sns-message-type',
  'x-amz-sns-message-id',
  'x-amz-sns-topic-arn',
  'x-amz-sns-subscription-arn',
];

function headersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    FORWARDED.flatMap(name => {
      const value = headers[name];
      return typeof value === 'string' ? [[name, value]] : [];
    }),
  );
}

export async function startSnsRelay(target: () => string): Promise<SnsRelay> {
  let holding = false;
  let kept: SnsDelivery | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', async () => {
      const delivery = {
        headers: headersOf(req.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (
        holding &&
        delivery.headers['x-amz-sns-message-type'] === 'Notification'
      ) {
        holding = false;
        kept = delivery;
        res.writeHead(200).end();
        return;
      }
      try {
        const answer = await fetch(target(), {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        });
        res.writeHead(answer.status).end(await answer.text());
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    holdNextNotification: () => {
      holding = true;
      kept = undefined;
    },
    held: () => kept,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(error => (error ? reject(error) : resolve())),
      ),
  };
}
