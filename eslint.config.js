import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Imports run one way, down the flow (docs/architecture.md): each folder of
 * src/ names the folders it may import; everything else, and the edge
 * (config/, connector.ts, main.ts, cli.ts), is refused. errors.ts is for all.
 */
const LAYERS = {
  contracts: [],
  // The audit chain, its checkpoints and their verifier: pure, for the writer and `audit verify` alike.
  audit: [],
  observability: ['contracts'],
  // Kafka clients: TLS, SASL and the ACL probe.
  kafka: ['contracts', 'observability'],
  decode: ['contracts'],
  mapping: ['contracts'],
  cxone: ['contracts', 'mapping', 'observability'],
  dedup: ['contracts', 'decode'],
  output: ['audit', 'contracts', 'cxone', 'decode', 'mapping', 'observability'],
  source: ['audit', 'contracts', 'dedup', 'kafka', 'observability', 'output'],
  pipeline: ['contracts', 'cxone', 'decode', 'dedup', 'mapping', 'observability', 'output'],
  // dlq replay: reads the DLQ and writes records back; it knows the DLQ's headers and nothing else.
  replay: ['contracts', 'kafka', 'output'],
  // audit verify: reads the audit topics (with replay's topic reader) and judges them with audit/.
  verify: ['audit', 'contracts', 'decode', 'kafka', 'replay'],
  // The simulator is a product of its own: it shares no code with the connector.
  sim: [],
};
const EDGE = ['../config/*', '../connector.ts', '../main.ts', '../cli.ts', '../preflight.ts'];
/**
 * The dev tooling: devkit/ (the local stack, event generators, output decoding, fixtures) is the one
 * library scripts/, bench/ and test/ share; none of the three imports another, and src/, the
 * product, imports none of them.
 */
const TOOLING = {
  devkit: [],
  scripts: ['devkit'],
  bench: ['devkit'],
  test: ['devkit'],
};
const toolingPattern = (folder) => {
  const refused = Object.keys(TOOLING).filter(
    (other) => other !== folder && !TOOLING[folder].includes(other),
  );
  return {
    group: refused.map((other) => `**/${other}/**`),
    message: `${folder}/ may import src/ and ${TOOLING[folder].length ? TOOLING[folder].join(', ') : 'nothing else of the tooling'}: devkit/ is the shared dev library (docs/development.md)`,
  };
};
const PRODUCT = {
  group: Object.keys(TOOLING).map((folder) => `**/${folder}/**`),
  message: 'src/ is the product: it imports no dev tooling (devkit/, scripts/, bench/, test/)',
};
/** Sibling modules that must share contracts through a leaf module, never through each other. */
const SIBLINGS = {
  'src/mapping/journey-trigger-mapper.ts': ['./data-action-mapper.ts'],
  'src/mapping/data-action-mapper.ts': ['./journey-trigger-mapper.ts'],
  'src/cxone/journey-trigger-client.ts': ['./data-action-client.ts'],
  'src/cxone/data-action-client.ts': ['./journey-trigger-client.ts'],
};

function layerRules() {
  const blocks = [];
  for (const [folder, allowed] of Object.entries(LAYERS)) {
    const refused = Object.keys(LAYERS)
      .filter((other) => other !== folder && !allowed.includes(other))
      .map((other) => `../${other}/*`);
    const message = `src/${folder} may import only ${allowed.length ? allowed.join(', ') : 'its own files'} (and errors.ts): see docs/architecture.md`;
    const patterns = [{ group: [...refused, ...EDGE], message }, PRODUCT];
    blocks.push({
      files: [`src/${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    });
    for (const [file, siblings] of Object.entries(SIBLINGS)) {
      if (!file.startsWith(`src/${folder}/`)) continue;
      const sibling = {
        group: siblings,
        message:
          'share the type or function through a leaf module of the folder, not a sibling client or mapper',
      };
      blocks.push({
        files: [file],
        rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, sibling] }] },
      });
    }
  }
  blocks.push({
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [PRODUCT] }] },
  });
  for (const folder of Object.keys(TOOLING)) {
    blocks.push({
      files: [`${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: [toolingPattern(folder)] }] },
    });
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', 'helm/', 'coverage/', 'vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach', 'suite'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // async functions that do not await are the normal shape of interface implementations and fakes.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/main.ts and scripts read process.env.' },
        { object: 'process', property: 'exit', message: 'Only src/main.ts and scripts exit the process.' },
      ],
    },
  },
  {
    files: [
      'src/main.ts',
      'src/cli.ts',
      'src/cli-crash-points.ts',
      'devkit/**',
      'scripts/**',
      'bench/**',
      'test/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...layerRules(),
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
