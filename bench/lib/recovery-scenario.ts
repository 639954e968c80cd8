/**
 * `npm run chaos -- --scenario recovery`: the usual operator mistakes, on the
 * real stack, with two connector processes under a steady load:
 *   1. a wrong client secret (the mounted secret file) for a while, then fixed;
 *   2. a scope the API application lacks on the data-action route, then granted;
 *   3. a route mapping that CXone refuses (400) for a slice of events, then the
 *      route fixed, the instances restarted and those dead letters replayed, twice;
 *   4. a registry outage (the registry frozen) while both instances restart.
 * Passes only if nothing was dead-lettered during the configuration faults,
 * every event had exactly one effect, and the second replay changed nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createCdpEventEncoder, generateEvents, type CdpEvent } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { ownTopics, stackConnectorConfig, type RawConfig } from '../../devkit/stack-connector-config.ts';
import { readStackState, startStack } from '../../devkit/stack/index.ts';
import { readTopic } from '../../src/replay/read-topic.ts';
import { createInstances } from './instances.ts';
import { postSim, simEffects } from './sim-counts.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

export interface RecoveryOptions {
  root: string;
  faultSeconds: number;
  registryOutageSeconds: number;
  eventsPerSecond: number;
  say: (line: string) => void;
}

const ALL_SCOPES = ['journeys:trigger', 'contacts:read', 'data-actions:read', 'data-actions:execute'];

/** `<route> <code>` → how many times an instance logged that the route was blocked (its error line). */
function routeBlocksLogged(logsDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of readdirSync(logsDir).filter((f) => f.startsWith('connector-'))) {
    for (const line of readFileSync(join(logsDir, file), 'utf8').split('\n')) {
      if (!line.includes('is blocked:')) continue;
      const { route, code } = JSON.parse(line) as { route: string; code: string };
      counts[`${route} ${code}`] = (counts[`${route} ${code}`] ?? 0) + 1;
    }
  }
  return counts;
}

export async function runRecoveryScenario(o: RecoveryOptions): Promise<Record<string, unknown>> {
  const started = Date.now();
  const runId = `recovery${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'cxone-recovery-'));
  const stack = await startStack({
    dir,
    // Contacts 1-19 are all SUBSCRIBED: every event is exactly one effect per route it takes.
    sim: { command: [process.execPath, join(o.root, 'src/cli.ts'), 'sim', '--contacts', '19'], cwd: o.root },
    log: o.say,
  });
  const simUrl = stack.sim?.url ?? '';
  const kafka = new Kafka({
    clientId: 'recovery',
    brokers: [stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const input = `${runId}.events`;
  const topics = ownTopics(runId);
  const groupId = `${runId}-connector`;
  const secretFile = join(dir, 'client-secret');
  writeFileSync(secretFile, 'sim-secret\n');
  const configFile = join(dir, 'connector.json');
  const cartsIdentifiers = 'eventType = "CART_ABANDONED" ? { "email": identifiers.email } : identifiers';
  const writeConfig = (brokenCarts: boolean): void => {
    const config: RawConfig = stackConnectorConfig(
      {
        endpoints: { bootstrap: stack.kafka.bootstrap, registry: stack.registry.url, sim: simUrl },
        groupId,
        input,
        topics,
        clientSecret: `\${file:${secretFile}}`,
      },
      {
        // Each instance keeps its name and its dedup checkpoints across restarts, as a StatefulSet pod.
        kafka: {
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 1_000,
          instanceId: '${env:CXONE_INSTANCE_ID}',
        },
        dedup: { stateDir: '${env:CXONE_STATE_DIR}' },
        cxone: {
          // No scope parameter: the token carries what the application is granted, as many tenants do.
          auth: { scopes: [] },
          requestTimeoutMs: 2_000,
          rateLimit: { requestsPerSecond: 5000, burst: 200 },
          retry: {
            maxAttempts: 4,
            initialDelayMs: 100,
            maxDelayMs: 1000,
            multiplier: 2,
            maxElapsedMs: 5_000,
          },
        },
        routes: [
          {
            name: 'welcome',
            journeyId: 'j-welcome',
            fields: brokenCarts
              ? { directives: 'properties', identifiers: cartsIdentifiers }
              : { directives: 'properties' },
            ...(brokenCarts ? { requiredIdentifiers: ['email'] } : {}),
          },
          {
            name: 'lookup',
            action: 'data-action',
            actionId: 'da-customer-lookup',
            eventTypes: ['PURCHASE_COMPLETED'],
            inputs: '{ "customerId": contactId }',
          },
        ],
        processing: { configFaultProbeMs: 1_000, recordRetryMaxMs: 5_000 },
        observability: { logLevel: 'info' },
      },
    );
    writeFileSync(configFile, JSON.stringify(config));
  };
  writeConfig(false);
  const instances = createInstances({
    root: o.root,
    configFile,
    logsDir: stack.logsDir,
    env: (index) => ({
      CXONE_INSTANCE_ID: `recovery-${index}`,
      CXONE_STATE_DIR: join(stack.logsDir, `state-${index}`),
    }),
  });
  const produced: CdpEvent[] = [];
  let producing = true;
  try {
    await createTopics(admin, [{ topic: input, numPartitions: 4 }]);
    const encoder = await createCdpEventEncoder(stack.registry.url, input);
    instances.start(2);

    const producer = kafka.producer();
    await producer.connect();
    const load = (async () => {
      let n = 0;
      while (producing) {
        const batch = generateEvents({ count: o.eventsPerSecond, contacts: 19, prefix: `${runId}-${n++}` });
        await producer.send({
          topic: input,
          messages: batch.map((e) => ({ key: e.contactId, value: encoder.encode(e) })),
        });
        produced.push(...batch);
        await sleep(1000);
      }
    })();

    const stats = () => simEffects(simUrl);
    const dlqCount = async () => (await readTopic(kafka, topics.dlq, 60_000)).records.length;
    /** Seconds from `since` until CXone sees a new effect. */
    const firstEffectAfter = async (since: number): Promise<number> => {
      const base = (await stats()).total;
      for (;;) {
        if ((await stats()).total > base) return (Date.now() - since) / 1000;
        await sleep(100);
      }
    };
    const waitForLag0 = async (what: string): Promise<void> => {
      const deadline = Date.now() + 180_000;
      while ((await groupLag(admin, groupId, input).catch(() => -1)) !== 0) {
        if (Date.now() > deadline) throw new Error(`the group never caught up after ${what}`);
        await sleep(500);
      }
    };

    await sleep(10_000);
    const recovery: Record<string, number> = {};
    let dlqDuringConfigFaults = 0;

    o.say(`fault 1: a wrong client secret in ${secretFile} for ${o.faultSeconds} s`);
    let dlqBefore = await dlqCount();
    writeFileSync(secretFile, 'not-the-secret\n');
    // Tokens already issued would go on working until they expire: a rotated secret revokes them.
    await postSim(simUrl, '/_sim/tokens/revoke', {});
    await sleep(o.faultSeconds * 1000);
    writeFileSync(secretFile, 'sim-secret\n');
    recovery.wrong_secret = await firstEffectAfter(Date.now());
    await waitForLag0('the secret fix');
    dlqDuringConfigFaults += (await dlqCount()) - dlqBefore;
    o.say(`fault 1 fixed: first effect ${recovery.wrong_secret.toFixed(1)} s after the fix`);

    o.say(`fault 2: the application loses data-actions:execute for ${o.faultSeconds} s`);
    dlqBefore = await dlqCount();
    await postSim(simUrl, '/_sim/clients/sim-client', {
      scopes: ALL_SCOPES.filter((s) => s !== 'data-actions:execute'),
    });
    await postSim(simUrl, '/_sim/tokens/revoke', {});
    await sleep(o.faultSeconds * 1000);
    const invokesBefore = Object.keys((await stats()).byKey).filter((k) => k.startsWith('lookup:')).length;
    const granted = Date.now();
    await postSim(simUrl, '/_sim/clients/sim-client', { scopes: ALL_SCOPES });
    for (;;) {
      const invokes = Object.keys((await stats()).byKey).filter((k) => k.startsWith('lookup:')).length;
      if (invokes > invokesBefore) break;
      await sleep(100);
    }
    recovery.missing_scope = (Date.now() - granted) / 1000;
    await waitForLag0('the scope grant');
    dlqDuringConfigFaults += (await dlqCount()) - dlqBefore;
    o.say(`fault 2 fixed: first data action ${recovery.missing_scope.toFixed(1)} s after the grant`);

    o.say('fault 3: a route mapping CXone refuses for cart events; instances restarted with it');
    dlqBefore = await dlqCount();
    writeConfig(true);
    instances.restartAll();
    await sleep(Math.max(20, o.faultSeconds / 2) * 1000);
    writeConfig(false);
    instances.restartAll();
    await waitForLag0('the route fix');
    const rejectedDeadLetters = (await dlqCount()) - dlqBefore;
    const replay = async () =>
      (
        await promisify(execFile)(
          process.execPath,
          [
            join(o.root, 'src/cli.ts'),
            'dlq',
            'replay',
            '--config',
            configFile,
            '--code',
            'CXONE_BAD_REQUEST',
          ],
          { cwd: o.root },
        )
      ).stdout;
    const first = await replay();
    o.say(`replay 1:\n${first}`);
    await waitForLag0('the first replay');
    // Only a replay makes a fresh <key>~n effect here (the load itself is never refused once fixed).
    const freshEffects = async () =>
      Object.entries((await stats()).byKey)
        .filter(([key]) => /~\d+$/.test(key))
        .reduce((sum, [, n]) => sum + n, 0);
    const effectsAfterFirstReplay = await freshEffects();
    const second = await replay();
    o.say(`replay 2:\n${second}`);
    await waitForLag0('the second replay');
    await sleep(2_000);
    const replayedTwiceEffects = (await freshEffects()) - effectsAfterFirstReplay;
    const replayed = Number(/replayed: (\d+)/.exec(first)?.[1] ?? -1);
    const replayedAgain = Number(/replayed: (\d+)/.exec(second)?.[1] ?? -1);

    o.say(`fault 4: the registry frozen for ${o.registryOutageSeconds} s while both instances restart`);
    dlqBefore = await dlqCount();
    const state = await readStackState(stack.dir);
    const registryPid = state?.registry.pid ?? 0;
    process.kill(-registryPid, 'SIGSTOP');
    instances.restartAll();
    await sleep(o.registryOutageSeconds * 1000);
    const thawed = Date.now();
    process.kill(-registryPid, 'SIGCONT');
    recovery.registry_outage = await firstEffectAfter(thawed);
    await waitForLag0('the registry outage');
    const dlqDuringOutage = (await dlqCount()) - dlqBefore;
    o.say(`fault 4 over: first effect ${recovery.registry_outage.toFixed(1)} s after the registry came back`);

    producing = false;
    await load;
    await producer.disconnect();
    await waitForLag0('the end of the load');
    await instances.stopAll('SIGTERM');

    const effects = await stats();
    // One effect per event and route, under its key or a fresh <key>~n: never two.
    const perEffect = new Map<string, number>();
    for (const [key, count] of Object.entries(effects.byKey)) {
      const base = key.replace(/~\d+$/, '');
      perEffect.set(base, (perEffect.get(base) ?? 0) + count);
    }
    const expected = produced.flatMap((e) => [
      `welcome:${e.eventId}`,
      ...(e.eventType === 'PURCHASE_COMPLETED' ? [`lookup:${e.eventId}`] : []),
    ]);
    const carts = produced.filter((e) => e.eventType === 'CART_ABANDONED');
    const acceptedAfterReplay = Object.keys(effects.byKey).filter((k) => /^welcome:.*~1$/.test(k)).length;
    const summary = {
      events: produced.length,
      routes_blocked: routeBlocksLogged(stack.logsDir),
      instances: 2,
      dlq_during_config_faults: dlqDuringConfigFaults + dlqDuringOutage,
      accepted_after_fix: expected.filter((k) => perEffect.get(k) === 1).length,
      expected_effects: expected.length,
      recovery_seconds: Object.fromEntries(
        Object.entries(recovery).map(([k, v]) => [k, Number(v.toFixed(1))]),
      ),
      rejected_dead_letters: rejectedDeadLetters,
      replayed,
      replayed_second_run: replayedAgain,
      accepted_after_replay: acceptedAfterReplay,
      replayed_twice_effects: replayedTwiceEffects,
      duplicate_effects: [...perEffect.values()].filter((n) => n > 1).length,
      lost: expected.filter((k) => !perEffect.has(k)).length,
      cart_events: carts.length,
      seconds: Math.round((Date.now() - started) / 1000),
      passed: false,
    };
    summary.passed =
      summary.dlq_during_config_faults === 0 &&
      summary.lost === 0 &&
      summary.duplicate_effects === 0 &&
      summary.accepted_after_fix === summary.expected_effects &&
      summary.rejected_dead_letters > 0 &&
      summary.replayed === summary.rejected_dead_letters &&
      summary.replayed_second_run === 0 &&
      summary.accepted_after_replay === summary.replayed &&
      summary.replayed_twice_effects === 0 &&
      (summary.routes_blocked['welcome CXONE_AUTH_FAILED'] ?? 0) > 0 &&
      (summary.routes_blocked['lookup CXONE_FORBIDDEN'] ?? 0) > 0;
    return summary;
  } finally {
    producing = false;
    await instances.stopAll('SIGKILL', 5000);
    await admin.disconnect().catch(() => undefined);
    await stack.stop();
  }
}
