import { arn } from '../cloud/account';

/** The topic EventBridge's rule publishes the deployment events to. */
export const SNS_TOPIC_ARN = arn('sns', 'stagecraft-deployment-events');
