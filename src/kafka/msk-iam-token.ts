/**
 * Amazon MSK's IAM access control: an OAUTHBEARER token that is a SigV4
 * presigned `kafka-cluster:Connect` URL, made by AWS's own signer package
 * (aws-msk-iam-sasl-signer-js), never by hand. Credentials come from the config
 * or, when none are set, from the default chain (environment, the pod's role
 * through IRSA or EKS Pod Identity, the instance profile).
 */
import {
  generateAuthToken,
  generateAuthTokenFromCredentialsProvider,
  type GenerateAuthTokenResponse,
} from 'aws-msk-iam-sasl-signer-js';
import { KafkaSecurityError } from '../errors.ts';

export interface MskIamSettings {
  region: string;
  /** Static credentials; undefined: the default provider chain. */
  credentials?:
    { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

/** Refresh this long before the signed URL expires (the signer signs for 15 minutes). */
const REFRESH_MARGIN_MS = 60_000;

export function createMskIamTokenProvider(
  settings: MskIamSettings,
  now: () => number = Date.now,
): () => Promise<{ value: string }> {
  let cached: GenerateAuthTokenResponse | undefined;

  async function sign(): Promise<GenerateAuthTokenResponse> {
    const { credentials } = settings;
    try {
      return credentials
        ? await generateAuthTokenFromCredentialsProvider({
            region: settings.region,
            awsCredentialsProvider: () =>
              Promise.resolve({
                accessKeyId: credentials.accessKeyId,
                secretAccessKey: credentials.secretAccessKey,
                ...(credentials.sessionToken !== undefined ? { sessionToken: credentials.sessionToken } : {}),
              }),
          })
        : await generateAuthToken({ region: settings.region });
    } catch (error) {
      // The SDK's message names the provider that failed, never a credential.
      throw new KafkaSecurityError(
        'KAFKA_AUTH_FAILED',
        `cannot sign the MSK IAM token for region kafka.sasl.region (${settings.region}): ${(error as Error).message}; set kafka.sasl.accessKeyId/secretAccessKey or give the pod an IAM role`,
        { cause: error, retryable: true },
      );
    }
  }

  return async () => {
    if (!cached || now() >= cached.expiryTime - REFRESH_MARGIN_MS) cached = await sign();
    return { value: cached.token };
  };
}
