import { AuthenticationError, InputError } from '@backstage/errors';
import { deliveryKeyOf, verifyDelivery } from './verifyDelivery';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
// GitHub's documented test vector for X-Hub-Signature-256.
const SIGNATURE =
  'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyDelivery', () => {
  it("accepts GitHub's documented test vector", async () => {
    await expect(
      verifyDelivery(SECRET, BODY, { 'x-hub-signature-256': SIGNATURE }),
    ).resolves.toBeUndefined();
  });

  it('reads the header whatever its case', async () => {
    await expect(
      verifyDelivery(SECRET, BODY, { 'X-Hub-Signature-256': SIGNATURE }),
    ).resolves.toBeUndefined();
  });

  it('refuses a delivery without a signature', async () => {
    await expect(verifyDelivery(SECRET, BODY, {})).rejects.toThrow(
      AuthenticationError,
    );
  });

  it('refuses a signature made with another secret or over another body', async () => {
    await expect(
      verifyDelivery('another secret', BODY, {
        'x-hub-signature-256': SIGNATURE,
      }),
    ).rejects.toThrow(/does not match/);
    await expect(
      verifyDelivery(SECRET, Buffer.from('Hello, World?'), {
        'x-hub-signature-256': SIGNATURE,
      }),
    ).rejects.toThrow(AuthenticationError);
  });

  it('refuses a malformed signature header', async () => {
    await expect(
      verifyDelivery(SECRET, BODY, { 'x-hub-signature-256': 'sha1=abc' }),
    ).rejects.toThrow(AuthenticationError);
  });

  it('refuses every delivery when no secret is configured', async () => {
    await expect(
      verifyDelivery(undefined, BODY, { 'x-hub-signature-256': SIGNATURE }),
    ).rejects.toThrow(/webhookSecret/);
  });
});

describe('deliveryKeyOf', () => {
  it('combines the hook id and the delivery id', () => {
    expect(
      deliveryKeyOf({
        'x-github-hook-id': '42',
        'x-github-delivery': 'abc-123',
      }),
    ).toBe('42:abc-123');
  });

  it('refuses a delivery without a delivery id', () => {
    expect(() => deliveryKeyOf({ 'x-github-hook-id': '42' })).toThrow(
      InputError,
    );
  });
});
