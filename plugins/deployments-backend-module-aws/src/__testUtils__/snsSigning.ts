import { createSign } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

/** A test-only key pair (self-signed, CN sns.test.stagecraft.invalid); never trusted outside tests. */
export const TEST_SNS_KEY = readFileSync(
  join(__dirname, 'sns-test-key.pem'),
  'utf8',
);
export const TEST_SNS_CERT = readFileSync(
  join(__dirname, 'sns-test-cert.pem'),
  'utf8',
);

export const TOPIC =
  'arn:aws:sns:eu-west-1:111111111111:stagecraft-deployments';
export const CERT_URL =
  'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';

/** Signs an SNS message as SNS documents it (SignatureVersion 2, SHA256withRSA). */
export function signedSnsMessage(
  fields: Record<string, string>,
  options: { key?: string; version?: '1' | '2' } = {},
): Record<string, string> {
  const message: Record<string, string> = {
    MessageId: '4f4b0c53-0000-4000-8000-000000000001',
    TopicArn: TOPIC,
    Timestamp: '2026-11-01T10:00:00.000Z',
    SignatureVersion: options.version ?? '2',
    SigningCertURL: CERT_URL,
    ...fields,
  };
  const keys =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : [
          'Message',
          'MessageId',
          'SubscribeURL',
          'Timestamp',
          'Token',
          'TopicArn',
          'Type',
        ];
  const text = keys
    .filter(k => message[k] !== undefined)
    .map(k => `${k}\n${message[k]}\n`)
    .join('');
  message.Signature = createSign(
    message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
  )
    .update(text)
    .sign(options.key ?? TEST_SNS_KEY, 'base64');
  return message;
}

export function notification(event: object, messageId?: string) {
  return signedSnsMessage({
    Type: 'Notification',
    Message: JSON.stringify(event),
    ...(messageId ? { MessageId: messageId } : {}),
  });
}

export function delivery(message: Record<string, string>) {
  return {
    headers: {
      'x-amz-sns-message-type': message.Type,
      'content-type': 'text/plain; charset=UTF-8',
    },
    rawBody: Buffer.from(JSON.stringify(message)),
  };
}

/**
 * Serves the test certificate at SNS's certificate URLs
 * (`https://sns.<region>.amazonaws.com/….pem`), where `sns-validator` fetches
 * it, and records each URL it was asked for. Call once per test file.
 */
export function serveSnsCertificates(): { requested: string[] } {
  // Loaded here so that only test files that serve certificates start msw.
  const { http, HttpResponse } = require('msw') as typeof import('msw');
  const { setupServer } = require('msw/node') as typeof import('msw/node');
  const { registerMswTestHooks } =
    require('@backstage/backend-test-utils') as typeof import('@backstage/backend-test-utils');
  const requested: string[] = [];
  const server = setupServer(
    http.get(
      /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com\/.*\.pem$/,
      ({ request }) => {
        requested.push(request.url);
        return HttpResponse.text(TEST_SNS_CERT);
      },
    ),
  );
  registerMswTestHooks(server);
  return { requested };
}
