import { createSign, randomBytes, randomUUID } from 'node:crypto';
import { SigningCertificate } from './certificate';
import { SNS_TOPIC_ARN } from './topic';

export interface SnsLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The fields SNS signs, in order, for each message type (what validators rebuild). */
const SIGNED_FIELDS = {
  Notification: [
    'Message',
    'MessageId',
    'Subject',
    'Timestamp',
    'TopicArn',
    'Type',
  ],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
} as const;

export type SnsMessage = Record<string, string>;

/** The string SNS signs: each present field as `Name\nValue\n`. */
export function canonicalStringOf(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? SIGNED_FIELDS.Notification
      : SIGNED_FIELDS.SubscriptionConfirmation;
  return fields
    .filter(field => message[field] !== undefined)
    .map(field => `${field}\n${message[field]}\n`)
    .join('');
}

export interface SnsPublisherOptions {
  /** The HTTP(S) subscription's endpoint; a function is asked at each delivery. */
  url: string | (() => string);
  certificate: SigningCertificate;
  /** Where the sandbox serves its certificate and answers SubscribeURL, e.g. http://localhost:7100/aws/sns */
  snsBaseUrl: () => string;
  certificatePath: string;
  now: () => number;
  logger: SnsLogger;
  timeoutMs?: number;
}

/**
 * Delivers the sandbox's SNS topic to one HTTP subscription as SNS does:
 * first a SubscriptionConfirmation, whose SubscribeURL the sandbox answers;
 * once confirmed, each notification, signed (SignatureVersion 2, SHA256withRSA)
 * with the sandbox's own certificate. One delivery at a time, in order.
 */
export class SnsPublisher {
  readonly subscriptionArn = `${SNS_TOPIC_ARN}:${randomUUID()}`;
  private readonly token = randomBytes(64).toString('hex');
  private confirmedAt?: number;
  private confirmationDelivered = false;
  private unsubscribed = false;
  private queue: Promise<void> = Promise.resolve();
  private delivered = 0;
  private failed = 0;
  private dropped = 0;
  private failingSince = 0;

  constructor(private readonly options: SnsPublisherOptions) {}

  get confirmed() {
    return this.confirmedAt !== undefined;
  }

  get stats() {
    return {
      delivered: this.delivered,
      failed: this.failed,
      dropped: this.dropped,
    };
  }

  get signingCertUrl() {
    return `${this.options.snsBaseUrl()}${this.options.certificatePath}`;
  }

  /** Sends the SubscriptionConfirmation (again, while the endpoint has not received one). */
  requestConfirmation() {
    if (this.confirmed || this.confirmationDelivered || this.unsubscribed)
      return;
    this.enqueue(() => {
      const params = new URLSearchParams({
        Action: 'ConfirmSubscription',
        TopicArn: SNS_TOPIC_ARN,
        Token: this.token,
      });
      return this.sign({
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: this.token,
        TopicArn: SNS_TOPIC_ARN,
        Message: `You have chosen to subscribe to the topic ${SNS_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${this.options.snsBaseUrl()}?${params}`,
        Timestamp: new Date(this.options.now()).toISOString(),
      });
    }, true);
  }

  /** The SubscribeURL was visited: true when the token is this subscription's. */
  confirm(token: string | null): boolean {
    if (token !== this.token) return false;
    this.confirmedAt ??= this.options.now();
    return true;
  }

  /** Unsubscribe: SNS stops delivering to the endpoint. */
  unsubscribe(subscriptionArn: string | null): boolean {
    if (subscriptionArn !== this.subscriptionArn) return false;
    this.confirmedAt = undefined;
    this.unsubscribed = true;
    return true;
  }

  /** Publishes a message to the topic; until the subscription is confirmed SNS delivers nothing. */
  publish(message: string) {
    if (!this.confirmed) {
      this.dropped++;
      return;
    }
    this.enqueue(() =>
      this.sign({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: SNS_TOPIC_ARN,
        Message: message,
        Timestamp: new Date(this.options.now()).toISOString(),
        UnsubscribeURL: `${this.options.snsBaseUrl()}?${new URLSearchParams({
          Action: 'Unsubscribe',
          SubscriptionArn: this.subscriptionArn,
        })}`,
      }),
    );
  }

  async flush(): Promise<void> {
    await this.queue;
  }

  private sign(fields: SnsMessage): SnsMessage {
    const message: SnsMessage = {
      ...fields,
      SignatureVersion: '2',
      SigningCertURL: this.signingCertUrl,
    };
    const signer = createSign('RSA-SHA256');
    signer.update(canonicalStringOf(message), 'utf8');
    message.Signature = signer.sign(
      this.options.certificate.privateKey,
      'base64',
    );
    return message;
  }

  private enqueue(build: () => SnsMessage, confirmation = false) {
    this.queue = this.queue.then(() => this.deliver(build(), confirmation));
  }

  private async deliver(message: SnsMessage, confirmation: boolean) {
    const url =
      typeof this.options.url === 'function'
        ? this.options.url()
        : this.options.url;
    const what = `${message.Type} ${message.MessageId}`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'user-agent': 'Amazon Simple Notification Service Agent',
          'x-amz-sns-message-type': message.Type,
          'x-amz-sns-message-id': message.MessageId,
          'x-amz-sns-topic-arn': SNS_TOPIC_ARN,
          ...(confirmation
            ? {}
            : { 'x-amz-sns-subscription-arn': this.subscriptionArn }),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        this.fail(url, `${what} answered ${response.status}`);
        return;
      }
      if (confirmation) this.confirmationDelivered = true;
      if (this.failingSince > 0)
        this.options.logger.info(
          `SNS deliveries to ${url} work again after ${this.failingSince} failures`,
        );
      this.failingSince = 0;
      this.delivered++;
    } catch (error) {
      this.fail(url, `${what} failed: ${(error as Error).message}`);
    }
  }

  private fail(url: string, what: string) {
    this.failed++;
    this.failingSince++;
    if (this.failingSince === 1)
      this.options.logger.warn(
        `SNS ${what} at ${url}; further failures are counted quietly until a delivery succeeds`,
      );
  }
}
