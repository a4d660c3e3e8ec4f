import { X509Certificate, createSign, createVerify } from 'node:crypto';
import { createSigningCertificate } from './certificate';

describe('the sandbox signing certificate', () => {
  const now = Date.UTC(2026, 2, 2, 12);
  const made = createSigningCertificate({
    commonName: 'sns.sandbox.stagecraft.localhost',
    now,
    days: 30,
  });

  it('is an X.509 certificate node reads, self-signed, valid from an hour before now for the given days', () => {
    const certificate = new X509Certificate(made.pem);
    expect(certificate.subject).toContain(
      'CN=sns.sandbox.stagecraft.localhost',
    );
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBe(now - 3_600_000);
    expect(new Date(certificate.validTo).getTime()).toBe(now + 30 * 86_400_000);
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(
      2048,
    );
  });

  it('verifies what its private key signed, and nothing else', () => {
    const signature = createSign('RSA-SHA256')
      .update('Message\nhello\n')
      .sign(made.privateKey, 'base64');
    expect(
      createVerify('RSA-SHA256')
        .update('Message\nhello\n')
        .verify(made.pem, signature, 'base64'),
    ).toBe(true);
    expect(
      createVerify('RSA-SHA256')
        .update('Message\nhullo\n')
        .verify(made.pem, signature, 'base64'),
    ).toBe(false);
  });

  it('is read by node whatever bytes its serial starts with (a leading zero byte, a high bit)', () => {
    for (const first of [
      [0x00, 0x05],
      [0x00, 0x00, 0x9a],
      [0x80, 0x01],
      [0x7f, 0xff],
    ]) {
      const serial = Buffer.concat([
        Buffer.from(first),
        Buffer.alloc(16 - first.length, 0x11),
      ]);
      const certificate = createSigningCertificate({
        commonName: 'sns.sandbox.stagecraft.localhost',
        now,
        serial,
      }).certificate;
      expect(BigInt(`0x${certificate.serialNumber}`)).toBe(
        BigInt(`0x${serial.toString('hex')}`),
      );
    }
  });
});
