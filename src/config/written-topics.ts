/**
 * The topics the connector writes besides the dedup topic, from `kafka.topics`: created at start
 * when missing, proved writable, and listed in docs/security.md "Kafka ACLs". One list, so a new output
 * topic cannot be created by the connector yet missing from its ACL check or its preflight.
 */
export function writtenTopics(topics: {
  results: string;
  audit: string;
  dlq: string;
  auditCheckpoints: string;
}): string[] {
  return [topics.results, topics.audit, topics.dlq, topics.auditCheckpoints];
}
