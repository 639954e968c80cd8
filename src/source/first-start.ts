/**
 * A group with no committed offsets starts wherever kafka.startFrom says. Left
 * to a default, a first deployment (or a group whose offsets expired after
 * offsets.retention.minutes idle) would act on everything the input topics
 * retain: message every customer in a week of events. So the start is refused
 * until the operator has chosen where to start or how old an event may be.
 */
import type { Admin } from 'kafkajs';
import { ConfigError } from '../errors.ts';

export interface FirstStartSettings {
  groupId: string;
  inputTopics: readonly string[];
  /** kafka.startFrom or processing.maxEventAgeMs is set: the choice is made, nothing to check. */
  chosen: boolean;
}

/**
 * Throws a ConfigError when nothing was chosen and an input topic has no committed offset at
 * all: the group's first start, or a topic newly added to kafka.inputTopics (the same risk).
 * Partitions added to a topic the group already commits on hold only new events: they pass.
 */
export async function assertFirstStartChosen(
  admin: Pick<Admin, 'fetchOffsets'>,
  settings: FirstStartSettings,
): Promise<void> {
  if (settings.chosen) return;
  const offsets = await admin.fetchOffsets({ groupId: settings.groupId, topics: [...settings.inputTopics] });
  const never = offsets
    .filter((topic) => topic.partitions.every((p) => p.offset === '-1'))
    .map((topic) => topic.topic);
  if (never.length === 0) return;
  throw new ConfigError([
    `kafka.startFrom: consumer group ${settings.groupId} has no committed offsets on ${never.join(', ')} (a first deployment, a topic new to kafka.inputTopics, or offsets expired while the group was idle longer than the brokers' offsets.retention.minutes), and neither kafka.startFrom nor processing.maxEventAgeMs is set: starting now would act on every event those topics still retain, calling CXone for each (a journey for every customer in them). Choose: kafka.startFrom: latest (only events published from now on), an ISO-8601 time (from then), or earliest (the whole retention, deliberately); and/or processing.maxEventAgeMs (older events get an EXPIRED result, no CXone call). Nothing was consumed`,
  ]);
}
