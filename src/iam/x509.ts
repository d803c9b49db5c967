// X.509 certificates for IAM: PEM parsing (@peculiar/x509), private-key matching with crypto.subtle, certificate ids.
import { base32Encode } from "./totp";
import { X509Certificate } from "@peculiar/x509";
import { AwsError } from "../aws/errors";
import { fromBase64, toBytes, type Bytes } from "../aws/crypto";

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const KEY_BLOCK = /^\s*-----BEGIN (RSA |EC )?PRIVATE KEY-----([\s\S]*?)-----END \1PRIVATE KEY-----\s*$/;

const malformed = (what: string) => new AwsError("MalformedCertificate", what);

/** The PEM certificate blocks of a body or chain; each one must parse as an X.509 certificate. */
export function parseCertificates(pem: string, member: string): X509Certificate[] {
  const blocks = [...pem.matchAll(CERT_BLOCK)];
  if (blocks.length === 0) throw malformed(`Unable to parse ${member}. It must be PEM encoded.`);
  return blocks.map((b) => {
    const der = fromBase64((b[1] ?? "").replace(/\s+/g, ""));
    if (!der || der.length === 0) throw malformed(`Unable to parse ${member}. It must be PEM encoded.`);
    try {
      return new X509Certificate(der);
    } catch {
      throw malformed(`Unable to parse ${member}. It must be a valid X.509 certificate.`);
    }
  });
}

/** A certificate body holds exactly one certificate (a chain goes in CertificateChain). */
export function parseCertificate(pem: string): X509Certificate {
  const certs = parseCertificates(pem, "certificate");
  const [only] = certs;
  if (!only || certs.length !== 1) throw malformed("The certificate body must contain exactly one certificate.");
  return only;
}

/** DER length octets (definite form). */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

const tlv = (tag: number, body: Uint8Array): number[] => [tag, ...derLength(body.length), ...body];

/** The first element of a DER SEQUENCE (the AlgorithmIdentifier of a SubjectPublicKeyInfo), as bytes. */
function firstElement(seq: Uint8Array): Uint8Array {
  const at = (i: number) => seq[i] ?? 0;
  // Skip the outer SEQUENCE header.
  let i = 1;
  i += at(i) < 0x80 ? 1 : 1 + (at(i) & 0x7f);
  const start = i;
  i += 1;
  let len = at(i);
  if (len >= 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let k = 1; k <= n; k++) len = len * 256 + at(i + k);
    i += n;
  }
  return seq.slice(start, i + 1 + len);
}

/**
 * PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) keys wrapped as PKCS#8, the only private format WebCrypto
 * imports. The algorithm identifier is the certificate's own (rsaEncryption, or ecPublicKey with its curve), which
 * is exactly what PKCS#8 names for a key of that certificate.
 */
function wrapPkcs8(legacy: Uint8Array, cert: X509Certificate): Bytes {
  const algorithm = firstElement(new Uint8Array(cert.publicKey.rawData));
  const body = [0x02, 0x01, 0x00, ...algorithm, ...tlv(0x04, legacy)];
  return new Uint8Array(tlv(0x30, new Uint8Array(body)));
}

/** WebCrypto parameters for the certificate's key type; other key types cannot be checked, so they are refused. */
function signingAlgorithm(cert: X509Certificate) {
  let alg: { name: string; namedCurve?: string };
  try {
    alg = cert.publicKey.algorithm as { name: string; namedCurve?: string };
  } catch {
    // The library derives the algorithm from the key's OID and throws for one it does not know.
    throw malformed("The certificate's public key algorithm is not supported.");
  }
  if (alg.name === "RSASSA-PKCS1-v1_5" || alg.name === "RSA-PSS" || alg.name === "RSA-OAEP") {
    const params = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { importParams: params, signParams: params };
  }
  if (alg.name === "ECDSA" && alg.namedCurve) {
    return {
      importParams: { name: "ECDSA", namedCurve: alg.namedCurve },
      signParams: { name: "ECDSA", hash: "SHA-256" },
    };
  }
  throw malformed("The certificate's public key algorithm is not supported.");
}

/**
 * Checks that the PEM private key belongs to the certificate: the key signs a random challenge and the certificate's
 * public key must verify it. Comparing signatures, not key bytes, works for every encoding of the same key.
 */
export async function assertKeyMatches(cert: X509Certificate, privateKeyPem: string): Promise<void> {
  const m = KEY_BLOCK.exec(privateKeyPem);
  const der = m ? fromBase64((m[2] ?? "").replace(/\s+/g, "")) : null;
  if (!m || !der || der.length === 0) throw malformed("Unable to parse private key. It must be PEM encoded.");
  const { importParams, signParams } = signingAlgorithm(cert);
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey("spki", toBytes(cert.publicKey.rawData), importParams, false, ["verify"]);
  } catch {
    // A curve or key WebCrypto cannot load (secp256k1, say) cannot be checked, so the certificate is refused.
    throw malformed("The certificate's public key is not supported.");
  }
  const pkcs8 = m[1] ? wrapPkcs8(der, cert) : der;
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, importParams, false, ["sign"]);
  } catch {
    // A well-formed key of another type or curve than the certificate's fails here as well: it cannot match.
    throw new AwsError("KeyPairMismatch", "The public key certificate and the private key do not match.");
  }
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign(signParams, privateKey, challenge);
  if (!(await crypto.subtle.verify(signParams, publicKey, signature, challenge))) {
    throw new AwsError("KeyPairMismatch", "The public key certificate and the private key do not match.");
  }
}

/**
 * A signing certificate's id: the base32 SHA-1 digest of its DER encoding (32 characters, `[\w]+`). Being derived
 * from the certificate, it makes a second upload of the same certificate collide in the account.
 */
export async function certificateId(cert: X509Certificate): Promise<string> {
  return base32Encode(new Uint8Array(await crypto.subtle.digest("SHA-1", toBytes(cert.rawData))));
}
