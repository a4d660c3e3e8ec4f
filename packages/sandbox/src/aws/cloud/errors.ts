/**
 * A request an AWS service refuses, named as the service names it (the SDK
 * raises the exception class of that name). Each protocol writes it in its
 * own error shape.
 */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query protocol's Type: who is at fault. */
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}
