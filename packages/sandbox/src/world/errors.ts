/**
 * A request the simulated service refuses. The HTTP layer of each simulated
 * API maps the kind to its own status code and error shape.
 */
export class WorldError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid' | 'conflict' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'WorldError';
  }
}
