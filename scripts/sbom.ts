/**
 * `npm run sbom`: the CycloneDX SBOM of what the image ships (production
 * dependencies, the kafkajs fork among them), written to sbom.cdx.json, and a
 * check that every component's licence is on the allow-list below. Exit 1
 * names each component outside it. `--check` writes nothing (CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Permissive licences a bank's review accepts for a shipped dependency, as SPDX ids. */
const ALLOWED = new Set([
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
]);

interface Component {
  name: string;
  version: string;
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const text = execFileSync(
  npm,
  ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev', '--omit', 'optional'],
  {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  },
);
const bom = JSON.parse(text) as { components?: Component[] };
const components = bom.components ?? [];

/** An SPDX expression's ids: `(MIT OR Apache-2.0)` is allowed when one of them is; `AND` needs all. */
function allowed(expression: string): boolean {
  const clean = expression.replace(/[()]/g, ' ').trim();
  if (/\sOR\s/.test(clean)) return clean.split(/\s+OR\s+/).some((part) => allowed(part));
  return clean.split(/\s+AND\s+/).every((id) => ALLOWED.has(id.trim()));
}

/** The first line of LICENSE files we recognise, for a package whose package.json names no licence. */
const LICENSE_TITLES: Record<string, string> = { 'MIT License': 'MIT', 'ISC License': 'ISC' };

/** For a package that declares none: its LICENSE file's licence, when it is one we recognise. */
function licenceFromFile(name: string): string | undefined {
  const file = `node_modules/${name}/LICENSE`;
  if (!existsSync(file)) return undefined;
  const title = readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
  return LICENSE_TITLES[title];
}

const outside: string[] = [];
for (const c of components) {
  const declared = (c.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name ?? '');
  const fromFile = declared.length === 0 ? licenceFromFile(c.name) : undefined;
  const ids = fromFile === undefined ? declared : [fromFile];
  if (fromFile !== undefined)
    process.stdout.write(
      `  ${c.name}@${c.version}: ${fromFile}, read from its LICENSE file (package.json names none)\n`,
    );
  if (ids.length === 0 || !ids.some((id) => id !== '' && allowed(id)))
    outside.push(`${c.name}@${c.version}: ${ids.join(', ') || 'no licence declared'}`);
}
if (!process.argv.includes('--check')) writeFileSync('sbom.cdx.json', `${text.trim()}\n`);
process.stdout.write(
  `${components.length} components${process.argv.includes('--check') ? '' : ' in sbom.cdx.json'}; ${outside.length} outside the licence allow-list (${[...ALLOWED].join(', ')})\n`,
);
for (const line of outside) process.stdout.write(`  ${line}\n`);
process.exitCode = outside.length === 0 ? 0 : 1;
