import { AuthenticationError, InputError } from '@backstage/errors';
import { createVerify } from 'crypto';
import MessageValidator from 'sns-validator';

/** An SNS HTTP(S) delivery body, as documented for the three message types. */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
}

const TYPES = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
];

/** Parses a delivery body; anything that is not an SNS message is an InputError. */
export function parseSnsMessage(rawBody: Buffer): SnsMessage {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InputError('The SNS delivery is not JSON');
  }
  const m = body as Record<string, unknown>;
  const required = [
    'Type',
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
  ];
  for (const key of required) {
    if (typeof m?.[key] !== 'string' || m[key] === '') {
      throw new InputError(`The SNS delivery has no ${key}`);
    }
  }
  if (!TYPES.includes(m.Type as string)) {
    throw new InputError(`'${String(m.Type)}' is not an SNS message type`);
  }
  if (
    m.Type !== 'Notification' &&
    (typeof m.SubscribeURL !== 'string' || typeof m.Token !== 'string')
  ) {
    throw new InputError(
      `The SNS ${String(m.Type)} has no SubscribeURL or Token`,
    );
  }
  return m as unknown as SnsMessage;
}

/** The fields SNS signs, in its documented order, per message type. */
function stringToSign(message: SnsMessage): string {
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
  const record = message as unknown as Record<string, string | undefined>;
  return keys
    .filter(key => record[key] !== undefined)
    .map(key => `${key}\n${record[key]}\n`)
    .join('');
}

/**
 * Whether a URL may serve SNS certificates or confirm subscriptions: https
 * on `sns.<region>.amazonaws.com` (`.com.cn` in China), or the configured
 * sandbox host (http or https), which only the sandbox and tests set.
 */
export function isTrustedSnsUrl(
  value: string,
  options: { sandboxHost?: string; certificate?: boolean },
): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (options.certificate && !url.pathname.endsWith('.pem')) return false;
  if (options.sandboxHost && url.host === options.sandboxHost) {
    return url.protocol === 'https:' || url.protocol === 'http:';
  }
  return (
    url.protocol === 'https:' &&
    url.port === '' &&
    /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(url.hostname)
  );
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1': 'RSA-SHA1',
  '2': 'RSA-SHA256',
};

export interface SnsVerifierOptions {
  /** Fetches a sandbox certificate (PEM). Default: `fetch` with a 5 s timeout. */
  fetchText?: (url: string) => Promise<string>;
  sandboxHost?: string;
}

/** SNS's own certificate hosts, as `sns-validator` matches them. */
const SNS_CERTIFICATE_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
const validator = new MessageValidator(SNS_CERTIFICATE_HOST);

/** Verifies a message from SNS itself with the maintained `sns-validator` package. */
function validateWithSnsValidator(message: SnsMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    validator.validate(message as unknown as Record<string, unknown>, error =>
      error ? reject(error) : resolve(),
    );
  });
}

/**
 * Verifies SNS message signatures (SignatureVersion 1: SHA1withRSA, 2:
 * SHA256withRSA). A message whose certificate SNS serves
 * (`https://sns.<region>.amazonaws.com/….pem`) is verified by the maintained
 * `sns-validator` package. Only a certificate from the configured sandbox
 * host — which `sns-validator` cannot fetch, as it takes https from SNS's
 * hosts only — is checked here, the same way (string to sign per type),
 * against the certificate fetched once per URL.
 */
export class SnsMessageVerifier {
  private readonly fetchText: (url: string) => Promise<string>;
  private readonly sandboxHost?: string;
  private readonly certificates = new Map<string, Promise<string>>();

  constructor(options: SnsVerifierOptions = {}) {
    this.fetchText = options.fetchText ?? fetchWithTimeout;
    this.sandboxHost = options.sandboxHost;
  }

  async verify(message: SnsMessage): Promise<void> {
    if (
      !isTrustedSnsUrl(message.SigningCertURL, {
        sandboxHost: this.sandboxHost,
        certificate: true,
      })
    ) {
      throw new AuthenticationError(
        'The SNS signing certificate is not served by an SNS host',
      );
    }
    const algorithm = SIGNATURE_ALGORITHMS[message.SignatureVersion];
    if (!algorithm) {
      throw new AuthenticationError(
        `SNS SignatureVersion '${message.SignatureVersion}' is not supported`,
      );
    }
    if (
      !this.sandboxHost ||
      new URL(message.SigningCertURL).host !== this.sandboxHost
    ) {
      try {
        await validateWithSnsValidator(message);
      } catch {
        // sns-validator refuses a bad signature and a certificate it cannot
        // fetch alike; neither is a delivery from SNS.
        throw new AuthenticationError('The SNS message signature is not valid');
      }
      return;
    }
    const certificate = await this.certificate(message.SigningCertURL);
    let valid = false;
    try {
      valid = createVerify(algorithm)
        .update(stringToSign(message), 'utf8')
        .verify(certificate, message.Signature, 'base64');
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new AuthenticationError('The SNS message signature is not valid');
    }
  }

  private certificate(url: string): Promise<string> {
    let pem = this.certificates.get(url);
    if (!pem) {
      pem = this.fetchText(url).then(
        text => {
          if (!text.includes('-----BEGIN CERTIFICATE-----')) {
            throw new AuthenticationError(
              'The SNS signing certificate is not a PEM certificate',
            );
          }
          return text;
        },
        error => {
          if (error instanceof AuthenticationError) throw error;
          throw new AuthenticationError(
            'The SNS signing certificate could not be fetched',
          );
        },
      );
      pem.catch(() => this.certificates.delete(url));
      if (this.certificates.size > 50) this.certificates.clear();
      this.certificates.set(url, pem);
    }
    return pem;
  }
}

async function fetchWithTimeout(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) {
    throw new AuthenticationError(
      `The SNS signing certificate could not be fetched (${response.status})`,
    );
  }
  return response.text();
}
