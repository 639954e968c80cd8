/** `decode` (reader schemas, value bounds) and `output` (subject naming, partitioning). */
import { z } from 'zod';
import { SUBJECT_NAME_STRATEGIES } from '../../output/output-schemas.ts';
import { topicName } from './common.ts';

export const decodeSchema = z
  .object({
    /** Input values over this many bytes are dead-lettered (DECODE_TOO_LARGE) before Avro decoding. */
    maxValueBytes: z.number().int().min(1).default(1_048_576),
    /**
     * Per input topic, a reader schema (.avsc path) that every writer schema is
     * resolved against, so mappings see one shape whatever version produced the event. The files
     * are read beside the schema (config/resource-checks.ts).
     */
    readerSchemas: z.record(topicName, z.string().min(1)).default({}),
  })
  .strict();

export const outputSchema = z
  .object({
    /** How the subjects of the output schemas are named in the registry. */
    subjectNameStrategy: z.enum(SUBJECT_NAME_STRATEGIES).default('TopicNameStrategy'),
    /**
     * Which partition of the results, audit and DLQ topics a record's outputs go to. `input`: the
     * input record's partition number (modulo the topic's partition count), so one transaction
     * touches one partition per output topic; per-key order holds, since a key always comes from
     * one input partition. `key`: by a hash of the idempotency key, as a default producer would,
     * at the price of a transaction touching every output partition.
     */
    partitioning: z.enum(['input', 'key']).default('input'),
  })
  .strict();
