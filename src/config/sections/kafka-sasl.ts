/** `kafka.sasl`: PLAIN, SCRAM, OAUTHBEARER (client credentials) and MSK IAM. */
import { z } from 'zod';
import { durationMs } from './common.ts';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'aws-msk-iam'] as const;

export const kafkaSaslSchema = z
  .object({
    mechanism: z.enum(SASL_MECHANISMS),
    /** plain and scram-*: the principal's name and password. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** oauthbearer: an OIDC token endpoint, asked with client credentials (HTTP Basic). */
    tokenUrl: z.url().optional(),
    /** oauthbearer: accept an http:// tokenUrl, which sends the client secret in clear (a local test IdP only). */
    allowInsecureHttp: z.boolean().default(false),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    scope: z.string().min(1).optional(),
    /** oauthbearer: refresh the token this long before it expires. */
    refreshMarginMs: durationMs.default(60_000),
    /** aws-msk-iam: the cluster's region; credentials from here or the default chain (the pod's role). */
    region: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((sasl, ctx) => {
    const need = (key: keyof typeof sasl): void => {
      if (sasl[key] !== undefined) return;
      const secret = /secret|password/i.test(key);
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `required for mechanism ${sasl.mechanism}${secret ? ': set it as "${env:NAME}" or "${file:/path}" so it stays out of the file' : ''}`,
      });
    };
    if (['plain', 'scram-sha-256', 'scram-sha-512'].includes(sasl.mechanism)) {
      need('username');
      need('password');
    }
    if (sasl.mechanism === 'oauthbearer') {
      need('tokenUrl');
      need('clientId');
      need('clientSecret');
    }
    if (sasl.mechanism === 'aws-msk-iam') {
      need('region');
      if ((sasl.accessKeyId === undefined) !== (sasl.secretAccessKey === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['secretAccessKey'],
          message: 'accessKeyId and secretAccessKey go together; leave both out to use the pod role',
        });
    }
  });
