import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import type { EventEnvelope } from './envelope';
import type { TopicData } from './schemas';
import type { Topic } from './topics';

/**
 * The data of topic T's events, inferred from its schema in `TOPIC_SCHEMAS`: handlers take their
 * payload type from here, never from an interface written beside the schema.
 */
export type TopicPayload<T extends Topic> = TopicData<T>;

/** What a handler of topic T receives: the envelope around the topic's data (an array in batches). */
export type TopicEvent<T extends Topic> = EventEnvelope<TopicData<T>>;

/** True when A and B are the same type (not merely assignable either way). */
export type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

type TakesTopicEvent<F, T extends Topic> = F extends (...args: infer A) => unknown
  ? Equals<A[0], TopicEvent<T>> extends true
    ? true
    : Equals<A[0], TopicEvent<T>[]> extends true
      ? true
      : Equals<A[0], readonly TopicEvent<T>[]>
  : false;

/**
 * The handlers of `C`, among those `M` pairs with a topic, whose first parameter is not exactly
 * that topic's event (or a batch of them, readonly or not): `never` when none drifts from the schema registry.
 * Use with `expectNoDrift<HandlerDrift<Controller, typeof HANDLERS>>()` in a spec.
 */
export type HandlerDrift<C, M extends Record<string, Topic>> = {
  [K in keyof M]: K extends keyof C ? (TakesTopicEvent<C[K], M[K]> extends true ? never : K) : K;
}[keyof M];

/** Compiles only when `Drift` is `never`; the error names the handler whose type drifted. */
export function expectNoDrift<Drift extends never>(): Drift[] {
  return [];
}

/** The topic of each @EventPattern handler of a controller class, by method name. */
export function handlerTopics(
  controller: abstract new (...args: never[]) => unknown,
): Record<string, string> {
  const prototype = controller.prototype as Record<string, unknown>;
  const topics: Record<string, string> = {};
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[name];
    if (typeof method !== 'function') continue;
    const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined;
    if (patterns?.length === 1 && typeof patterns[0] === 'string') topics[name] = patterns[0];
  }
  return topics;
}
