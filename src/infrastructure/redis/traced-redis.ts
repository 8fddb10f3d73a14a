import { context, type Context, SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import type { Cluster, Command, Redis } from 'ioredis';
import { markFailed, type Tracing } from '../tracing/tracing.js';

/** `db.system.name` of Redis (an incubating value of the conventions, hence spelled out). */
const REDIS = 'redis';

type Send = (command: Command, stream?: unknown) => unknown;

/**
 * A CLIENT span per command, named after it (`GET`, `EVAL`…), with no argument: keys hold token
 * hashes and user ids, values hold sessions. Commands are sent from the auto-pipeline a tick after
 * they were issued, by then in whichever request issued the first of the batch, so the context of
 * each is taken when it joins its pipeline. Nothing is wrapped with tracing off.
 */
export function traceRedis(client: Redis | Cluster, tracing: Tracing): void {
  if (!tracing.enabled) return;
  const issuedIn = new WeakMap<Command, Context>();
  const traced = new WeakSet<Command>();
  const pipeline = client.pipeline.bind(client);
  client.pipeline = (commands?: unknown[][]) => {
    const created = pipeline(commands);
    const queue = (created as unknown as { sendCommand: Send }).sendCommand.bind(created);
    Object.assign(created, {
      sendCommand: (command: Command) => {
        issuedIn.set(command, context.active());
        return queue(command);
      },
    });
    return created;
  };
  const send = client.sendCommand.bind(client) as Send;
  client.sendCommand = (command: Command, stream?: unknown) => {
    if (traced.has(command)) return send(command, stream);
    traced.add(command);
    // A Cluster's options name no single node: its spans carry no server address.
    const { host, port, db } = (client as Redis).options;
    const span = tracing.startSpan(
      command.name.toUpperCase(),
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: REDIS,
          [ATTR_DB_OPERATION_NAME]: command.name.toUpperCase(),
          [ATTR_DB_NAMESPACE]: String(db ?? 0),
          ...(host && { [ATTR_SERVER_ADDRESS]: host }),
          ...(port && { [ATTR_SERVER_PORT]: port }),
        },
      },
      issuedIn.get(command) ?? context.active(),
      true,
    );
    const result = send(command, stream);
    if (span) {
      command.promise.then(
        () => span.end(),
        (error: unknown) => {
          markFailed(span, error);
          span.end();
        },
      );
    }
    return result;
  };
}
