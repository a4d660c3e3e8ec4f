import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { SigningCertificate } from './certificate';
import { SnsPublisher } from './SnsPublisher';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/**
 * The sandbox's SNS endpoints: the signing certificate (the SigningCertURL of
 * every message) and the SubscribeURL / UnsubscribeURL answers.
 */
export function createSnsRouter(options: {
  certificate: SigningCertificate;
  certificatePath: string;
  publisher?: SnsPublisher;
}): Router {
  const router = Router();
  router.get(options.certificatePath, (_req, res) => {
    res.type('application/x-x509-ca-cert').send(options.certificate.pem);
  });
  router.get('/', (req, res) => {
    const requestId = randomUUID();
    const action = String(req.query.Action ?? '');
    const answer = (result: string) =>
      res
        .type('text/xml')
        .send(
          `<${action}Response xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
        );
    const refuse = (code: string, message: string, status = 400) =>
      res
        .status(status)
        .type('text/xml')
        .send(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
    const publisher = options.publisher;
    if (action === 'ConfirmSubscription') {
      if (!publisher || !publisher.confirm(String(req.query.Token ?? '')))
        return refuse('InvalidParameter', 'Invalid parameter: Token');
      return answer(
        `<ConfirmSubscriptionResult><SubscriptionArn>${publisher.subscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult>`,
      );
    }
    if (action === 'Unsubscribe') {
      if (
        !publisher ||
        !publisher.unsubscribe(String(req.query.SubscriptionArn ?? ''))
      )
        return refuse('NotFound', 'Subscription does not exist', 404);
      return answer('');
    }
    return refuse(
      'InvalidAction',
      `The sandbox's SNS answers ConfirmSubscription and Unsubscribe, not '${action.replace(
        /[<>&]/g,
        '',
      )}'`,
    );
  });
  return router;
}
