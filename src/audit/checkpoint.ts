/**
 * Signed checkpoints of an audit chain: every N records or T seconds, the span
 * `firstSeq..lastSeq` is summed up by its head hash and the RFC 6962 Merkle root
 * of its record hashes, and signed with Ed25519 under a key named by `keyId`
 * (rotation: old checkpoints keep verifying under their own key). A writer
 * without the private key cannot produce one, so a span it forged or dropped
 * cannot be covered by a valid checkpoint.
 */
import { createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { merkleRoot } from './merkle.ts';

export interface CheckpointBody {
  chain: string;
  firstSeq: number;
  lastSeq: number;
  /** recordHash of the record at lastSeq. */
  headHash: string;
  /** Merkle root (hex) of the span's record hashes, in chainSeq order. */
  merkleRoot: string;
  /** Epoch millis when it was made. */
  time: number;
  keyId: string;
}

export interface Checkpoint extends CheckpointBody {
  /** Ed25519 over the body's canonical encoding, base64. */
  signature: string;
}

/** A deterministic text of a value: object keys sorted, no whitespace, numbers as JSON prints them. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The bytes signed: the body's canonical JSON, so a verifier rebuilds them from the record alone. */
function signedBytes(body: CheckpointBody): Buffer {
  const { chain, firstSeq, lastSeq, headHash, merkleRoot: root, time, keyId } = body;
  return Buffer.from(
    canonicalJson({ chain, firstSeq, lastSeq, headHash, merkleRoot: root, time, keyId }),
    'utf8',
  );
}

/** The root over record hashes given as hex, as a checkpoint states it. */
export function spanRoot(recordHashes: readonly string[]): string {
  return merkleRoot(recordHashes.map((h) => Buffer.from(h, 'hex'))).toString('hex');
}

export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): Checkpoint {
  return { ...body, signature: sign(null, signedBytes(body), privateKey).toString('base64') };
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, signedBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The default keyId of a key pair: a digest of its public key, so a rotated key has a new name. */
export function keyIdOf(key: KeyObject): string {
  const spki = (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
  return `ed25519:${hash('sha256', spki, 'hex').slice(0, 16)}`;
}
