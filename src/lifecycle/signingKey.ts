import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { AuditKeyInvalidError, SigningKeyInvalidError } from './errors.js'

/** The server's Ed25519 key that signs every audit entry. The private half is never logged or serialized. */
export type SigningKey = {
  privateKey: KeyObject
  publicKey: KeyObject
  /** SPKI PEM of the public key: what `audit verify` needs, safe to publish. */
  publicKeyPem: string
  /** First 16 hex digits of sha256(SPKI DER): names the key in each audit entry. */
  keyId: string
}

export type LoadSigningKeyParameters = {
  /** Environment to read BULWARK_SIGNING_KEY (a PKCS#8 PEM) from. */
  env?: NodeJS.ProcessEnv
  /** Folder holding `signing-key.pem`, generated there (mode 0600) on first use. Usually `.bulwark/`. */
  dir: string
}

/** Loads the audit signing key from BULWARK_SIGNING_KEY, else from `<dir>/signing-key.pem`, generating it once. */
export async function loadSigningKey({ env = process.env, dir }: LoadSigningKeyParameters): Promise<SigningKey> {
  const fromEnv = env.BULWARK_SIGNING_KEY
  if (fromEnv !== undefined && fromEnv.trim() !== '') return signingKeyFromPem(fromEnv.replace(/\\n/g, '\n'), 'BULWARK_SIGNING_KEY')
  const file = path.join(dir, 'signing-key.pem')
  let pem: string
  try {
    pem = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SigningKeyInvalidError({ source: file, reason: 'it cannot be read' })
    const { privateKey } = generateKeyPairSync('ed25519')
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    await mkdir(dir, { recursive: true })
    try {
      // 'wx': two processes starting at once must not overwrite each other's key.
      await writeFile(file, pem, { mode: 0o600, flag: 'wx' })
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw new SigningKeyInvalidError({ source: file, reason: 'it cannot be written' })
      pem = await readFile(file, 'utf8')
    }
  }
  return signingKeyFromPem(pem, file)
}

export function signingKeyFromPem(pem: string, source = 'PEM'): SigningKey {
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(pem)
  } catch {
    throw new SigningKeyInvalidError({ source, reason: 'it is not a PEM private key' })
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyInvalidError({ source, reason: `it is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519` })
  }
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: publicKeyId(publicKey) }
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)
}

/**
 * An Ed25519 public key to verify audit entries with, from an SPKI PEM (or a private key PEM, whose
 * public half is taken). Anything else is BW_AUDIT_KEY_INVALID naming `source`.
 */
export function auditPublicKeyFromPem(pem: string, source = 'PEM'): KeyObject {
  let key: KeyObject
  try {
    key = createPublicKey(pem)
  } catch {
    throw new AuditKeyInvalidError({ source, reason: 'it is not a PEM public or private key' })
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditKeyInvalidError({ source, reason: `it is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519` })
  return key
}
