// The registry as a secured estate serves it: Debian's nginx in front of
// Apicurio, TLS with a certificate from the stack's CA, and either HTTP Basic
// (a Confluent Cloud style API key and secret) or a bearer token required on
// every request. A standard reverse proxy, not one of ours.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { spawnDetached, type SpawnedProcess, waitUntil } from './processes.ts';
import type { SecurityState } from './state.ts';

function nginxBin(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  throw new Error('nginx is required for --secure (apt-get install nginx-light)');
}

export function secureRegistryUrl(port: number): string {
  return `https://127.0.0.1:${port}/apis/ccompat/v7`;
}

export async function launchNginx(options: {
  home: string;
  logFile: string;
  port: number;
  upstreamPort: number;
  security: SecurityState;
}): Promise<SpawnedProcess> {
  const { home, security } = options;
  await mkdir(join(home, 'tmp'), { recursive: true });
  const { username, password, bearerToken } = security.registry;
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  const conf = `# Written by devkit/stack/nginx.ts; rewritten on each \`up --secure\`.
daemon off;
worker_processes 1;
pid ${join(home, 'nginx.pid')};
error_log /dev/stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(home, 'tmp')};
  proxy_temp_path ${join(home, 'tmp')};
  fastcgi_temp_path ${join(home, 'tmp')};
  uwsgi_temp_path ${join(home, 'tmp')};
  scgi_temp_path ${join(home, 'tmp')};
  map_hash_bucket_size 256;
  map $http_authorization $registry_auth_ok {
    "Basic ${basic}" 1;
    "Bearer ${bearerToken}" 1;
    default 0;
  }
  server {
    listen 127.0.0.1:${options.port} ssl;
    ssl_certificate ${security.brokerCertFile};
    ssl_certificate_key ${security.brokerKeyFile};
    location / {
      if ($registry_auth_ok = 0) {
        add_header WWW-Authenticate 'Basic realm="registry"' always;
        return 401;
      }
      proxy_set_header Authorization "";
      proxy_set_header Host $host;
      proxy_pass http://127.0.0.1:${options.upstreamPort};
    }
  }
}
`;
  const confFile = join(home, 'nginx.conf');
  await writeFile(confFile, conf);
  return spawnDetached(nginxBin(), ['-e', '/dev/stderr', '-p', home, '-c', confFile], {
    cwd: home,
    logFile: options.logFile,
  });
}

export async function waitNginxReady(
  url: string,
  options: { timeoutMs: number; logFile: string; pid: number; exited?: Promise<string> },
): Promise<void> {
  // Ready when it answers TLS (with its 401): the registry behind it has its own check.
  await waitUntil(
    'nginx',
    async () => {
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        const response = await request(`${url}/subjects`, { dispatcher });
        await response.body.dump();
        return response.statusCode === 401;
      } finally {
        await dispatcher.close();
      }
    },
    options,
  );
}
