import { SigningCertificate, createSigningCertificate } from './certificate';

let shared: SigningCertificate | undefined;

/**
 * The sandbox's SNS signing certificate, made once per process (an RSA key
 * takes a moment; every sandbox a test suite starts shares it).
 */
export function sandboxSigningCertificate(now: number): SigningCertificate {
  shared ??= createSigningCertificate({
    commonName: 'sns.sandbox.stagecraft.localhost',
    now: Math.min(now, Date.now()),
    days: 3650,
  });
  return shared;
}
