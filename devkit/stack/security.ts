// What a secured stack needs, made fresh at every `up`: a throwaway CA and the
// certificates it signs (the machine's openssl), SCRAM and PLAIN users with
// random passwords, and an RSA key whose JWKS the broker trusts for OAUTHBEARER
// (tests mint their JWTs with the private half). Nothing here outlives the stack dir.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecurityState } from './state.ts';

/** Principals of the secured stack; `admin` is a super user, the others hold only the ACLs granted to them. */
export const STACK_USERS = ['admin', 'connector', 'limited'] as const;
const MTLS_PRINCIPAL = 'connector-mtls';
const OAUTH_AUDIENCE = 'kafka';
const OAUTH_ISSUER = 'https://oidc.stack.invalid';

function openssl(cwd: string, args: string[]): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error)
    throw new Error(`openssl is required for --secure (apt-get install openssl): ${run.error.message}`);
  if (run.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed:\n${run.stderr}`);
}

/** A new RSA key <name>.key and, for `cn`, a request (<name>.csr) or with -x509 a self-signed certificate (<name>.pem). */
function newKey(dir: string, name: string, cn: string, selfSigned: boolean): void {
  const out = selfSigned ? ['-x509', '-days', '7', '-out', `${name}.pem`] : ['-out', `${name}.csr`];
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    ...out,
    '-subj',
    `/CN=${cn}`,
  ]);
}

/** A key and a certificate for `cn`, signed by the stack's CA. */
function issue(dir: string, name: string, cn: string, sans?: string): void {
  newKey(dir, name, cn, false);
  const ext = `${name}.ext`;
  writeFileSync(join(dir, ext), `${sans ? `subjectAltName=${sans}` : 'basicConstraints=CA:FALSE'}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '7',
    '-sha256',
    '-extfile',
    ext,
  ]);
}

const password = (): string => randomBytes(12).toString('hex');

export async function makeSecurity(dir: string): Promise<SecurityState> {
  await mkdir(dir, { recursive: true });
  newKey(dir, 'ca', 'cxone-stack-ca', true);
  issue(dir, 'broker', 'broker', 'IP:127.0.0.1,DNS:localhost');
  issue(dir, 'client', MTLS_PRINCIPAL);
  // A second CA nobody trusts: a certificate from it must be refused.
  newKey(dir, 'other-ca', 'untrusted-ca', true);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwks));
  await writeFile(join(dir, 'oauth-signing.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }));

  const users = Object.fromEntries(STACK_USERS.map((u) => [u, password()])) as Record<
    (typeof STACK_USERS)[number],
    string
  >;
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    brokerCertFile: join(dir, 'broker.pem'),
    brokerKeyFile: join(dir, 'broker.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    mtlsPrincipal: MTLS_PRINCIPAL,
    users,
    oauth: {
      jwksFile: join(dir, 'jwks.json'),
      signingKeyFile: join(dir, 'oauth-signing.key'),
      kid,
      audience: OAUTH_AUDIENCE,
      issuer: OAUTH_ISSUER,
    },
    registry: { username: 'registry-user', password: password(), bearerToken: password() },
  };
}
