import {
  KeyObject,
  X509Certificate,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';

/**
 * A self-signed X.509 certificate made with node:crypto alone: node can read
 * certificates (X509Certificate) but not write them, so the DER of the
 * TBSCertificate is assembled here (RFC 5280, the few types it needs) and
 * signed with SHA256withRSA. It stands in for SNS's signing certificate.
 */
export interface SigningCertificate {
  pem: string;
  privateKey: KeyObject;
  certificate: X509Certificate;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const nul = () => Buffer.from([0x05, 0x00]);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(value: Buffer): Buffer {
  // DER wants the shortest form: no leading zero bytes (a random serial may
  // start with one, which node refuses as "illegal padding"), then a leading
  // 0x00 when the high bit is set, so the number stays positive.
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const bytes = value.subarray(start);
  return tlv(
    0x02,
    bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes,
  );
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v >>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-03-02T12:00:00.000Z
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(
    8,
    10,
  )}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid('2.5.4.6'), printable('US'))),
    set(sequence(oid('2.5.4.10'), utf8('Stagecraft sandbox'))),
    set(sequence(oid('2.5.4.3'), utf8(commonName))),
  );
}

const SHA256_WITH_RSA = () => sequence(oid('1.2.840.113549.1.1.11'), nul());

export function createSigningCertificate(options: {
  commonName: string;
  now: number;
  days?: number;
  /** The serial number's bytes; random by default. */
  serial?: Buffer;
}): SigningCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const serial = options.serial ?? randomBytes(16);
  const notBefore = new Date(options.now - 60 * 60_000);
  const notAfter = new Date(options.now + (options.days ?? 365) * 86_400_000);
  const subject = name(options.commonName);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    SHA256_WITH_RSA(),
    subject,
    sequence(utcTime(notBefore), utcTime(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(
    tbs,
    SHA256_WITH_RSA(),
    tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
  );
  const base64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim();
  const pem = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
  return { pem, privateKey, certificate: new X509Certificate(pem) };
}
