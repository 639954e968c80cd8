/**
 * The first 96 bits of a key's SHA-256, computed in JavaScript. On this
 * project's 2-core machine node:crypto's one-shot `hash` costs about 1.6 µs a
 * call on a 45-byte key (the crossing into OpenSSL, not the hashing) and was
 * the largest single cost of a restore; @noble/hashes' sha256 about 2 µs (an
 * object and an array per call); this loop, with no allocation but its
 * result, about 0.75 µs. It is the same function (FIPS 180-4, checked against
 * node:crypto byte for byte in the unit tests), so the collision analysis and
 * the checkpoints' tables do not change.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const W = new Int32Array(64);
const H = new Int32Array(8);
let padded = new Uint8Array(128);
const encoder = new TextEncoder();

/** Bytes of `key` (text as UTF-8) laid out with SHA-256's padding in `padded`; returns the padded length. */
function pad(key: string | Uint8Array): number {
  let length: number;
  if (typeof key === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    ensure(key.length * 3 + 72);
    length = encoder.encodeInto(key, padded).written;
  } else {
    ensure(key.length + 72);
    padded.set(key);
    length = key.length;
  }
  const total = Math.ceil((length + 9) / 64) * 64;
  padded.fill(0, length, total);
  padded[length] = 0x80;
  const bits = length * 8;
  const at = total - 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  padded[at] = high >>> 24;
  padded[at + 1] = high >>> 16;
  padded[at + 2] = high >>> 8;
  padded[at + 3] = high;
  padded[at + 4] = bits >>> 24;
  padded[at + 5] = bits >>> 16;
  padded[at + 6] = bits >>> 8;
  padded[at + 7] = bits;
  return total;
}

function ensure(bytes: number): void {
  if (padded.length < bytes) padded = new Uint8Array(Math.max(bytes, padded.length * 2));
}

const bswap = (x: number): number =>
  (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/**
 * The digest's first twelve bytes as three little-endian words (what `readUInt32LE` at 0, 4 and 8 of
 * node:crypto's digest gives).
 */
export function sha256Prefix96(key: string | Uint8Array): [number, number, number] {
  const total = pad(key);
  const p = padded;
  H[0] = 0x6a09e667;
  H[1] = 0xbb67ae85;
  H[2] = 0x3c6ef372;
  H[3] = 0xa54ff53a;
  H[4] = 0x510e527f;
  H[5] = 0x9b05688c;
  H[6] = 0x1f83d9ab;
  H[7] = 0x5be0cd19;
  for (let offset = 0; offset < total; offset += 64) {
    for (let t = 0; t < 16; t++) {
      const i = offset + t * 4;
      W[t] = (p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a: number = H[0];
    let b: number = H[1];
    let c: number = H[2];
    let d: number = H[3];
    let e: number = H[4];
    let f: number = H[5];
    let g: number = H[6];
    let h: number = H[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0;
    H[1] = (H[1] + b) | 0;
    H[2] = (H[2] + c) | 0;
    H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0;
    H[5] = (H[5] + f) | 0;
    H[6] = (H[6] + g) | 0;
    H[7] = (H[7] + h) | 0;
  }
  return [bswap(H[0]), bswap(H[1]), bswap(H[2])];
}
