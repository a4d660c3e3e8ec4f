import {
  AuthenticationError,
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import { EventBridgeEvent, translateEvent } from './translateEvent';
import {
  isTrustedSnsUrl,
  parseSnsMessage,
  SnsMessageVerifier,
} from './verifySnsMessage';

export interface SnsDeliveryOptions {
  verifier: SnsMessageVerifier;
  /** `deployments.aws.sns.topicArns`: the only topics accepted. */
  topicArns: string[];
  sandboxHost?: string;
  /** GETs the SubscribeURL. Default: `fetch` with a 5 s timeout. */
  confirm?: (url: string) => Promise<void>;
}

function header(
  headers: ProviderWebhookRequest['headers'],
  name: string,
): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Handles one SNS HTTPS delivery: checks the topic and the signature,
 * confirms subscriptions of configured topics (answering SNS itself) and
 * translates notifications that carry EventBridge events. The delivery key
 * is SNS's message id, so a redelivered message is dropped by the core.
 */
export async function handleSnsDelivery(
  request: ProviderWebhookRequest,
  options: SnsDeliveryOptions,
): Promise<ProviderWebhookResult> {
  const message = parseSnsMessage(request.rawBody);
  const typeHeader = header(request.headers, 'x-amz-sns-message-type');
  if (typeHeader !== undefined && typeHeader !== message.Type) {
    throw new InputError(
      `x-amz-sns-message-type says ${typeHeader} but the body is a ${message.Type}`,
    );
  }
  if (!options.topicArns.includes(message.TopicArn)) {
    throw new NotAllowedError(
      `SNS topic ${message.TopicArn} is not in deployments.aws.sns.topicArns`,
    );
  }
  await options.verifier.verify(message);
  const deliveryKey = message.MessageId;

  if (message.Type === 'SubscriptionConfirmation') {
    const url = message.SubscribeURL!;
    if (!isTrustedSnsUrl(url, { sandboxHost: options.sandboxHost })) {
      throw new AuthenticationError(
        'The SubscribeURL of the confirmation is not an SNS host',
      );
    }
    try {
      await (options.confirm ?? getWithTimeout)(url);
    } catch {
      throw new ServiceUnavailableError(
        `Could not confirm the subscription to ${message.TopicArn}; SNS may resend the confirmation`,
      );
    }
    return {
      deliveryKey,
      events: [],
      reply: {
        status: 200,
        body: { confirmed: true, topicArn: message.TopicArn },
      },
    };
  }
  if (message.Type === 'UnsubscribeConfirmation') {
    return {
      deliveryKey,
      events: [],
      reply: {
        status: 200,
        body: { unsubscribed: true, topicArn: message.TopicArn },
      },
    };
  }

  let event: EventBridgeEvent | undefined;
  try {
    event = JSON.parse(message.Message);
  } catch {
    // A signed notification of an accepted topic that is not an EventBridge event: nothing to do.
    event = undefined;
  }
  return {
    deliveryKey,
    events: event && typeof event === 'object' ? translateEvent(event) : [],
  };
}

async function getWithTimeout(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) {
    throw new Error(`SubscribeURL answered ${response.status}`);
  }
}
