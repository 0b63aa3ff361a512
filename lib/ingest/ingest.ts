/**
 * Ingest: stamps accepted pin events and publishes them to the bus through a
 * micro-batcher, and writes what was received but rejected to the
 * dead-letter topic. A promise from `accept` resolves only once the bus has
 * made the events durable.
 *
 * @module
 */

import type { Bus, BusRecord } from "../bus/bus.ts";
import { createDeadlineGroup, type DeadlineGroup } from "../runtime/deadline_group.ts";
import { cleanText } from "../pin/clean_pin.ts";
import {
  ClosedError,
  createMicroBatcher,
  type MicroBatcher,
  OverloadedError,
} from "./micro_batcher.ts";
import { type DeadLetter, deadLetterRecord } from "../pin/dead_letter.ts";
import type { PinEvent, ReceivedPin } from "../pin/pin_event.ts";

/** Raised when the bus does not acknowledge within the bound. */
export class ProduceTimeoutError extends Error {
  constructor(ms: number) {
    super(`The bus did not acknowledge within ${ms} ms`);
    this.name = "ProduceTimeoutError";
  }
}

/** Raised when the bus refuses or fails to store events. */
export class BusUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The event bus failed to store the events: ${(cause as Error)?.message ?? cause}`, {
      cause,
    });
    this.name = "BusUnavailableError";
  }
}

/** Measurements the ingestor reports, for metrics. */
export interface IngestObserver {
  onFlush?(info: { topic: string; items: number; seconds: number; ok: boolean }): void;
}

/** Options of {@linkcode createIngestor}. */
export interface IngestorOptions {
  bus: Bus;
  pinsTopic: string;
  dlqTopic: string;
  /** The bound on waiting for the bus. */
  timeoutMs: number;
  newId: () => string;
  now?: () => Date;
  maxInFlightBytes?: number;
  lingerMs?: number;
  observer?: IngestObserver;
}

/** Publishes events and dead letters. */
export interface Ingestor {
  /**
   * Stamps `event_id` (when absent) and `received_at`, publishes, and
   * resolves with the stamped events once durable.
   *
   * Contract: each published record is the stamped event's JSON with
   * `received_at` as its last key, ending `,"received_at":"<toISOString()>"}`
   * (a `received_at` the client sent is dropped first, so it cannot take the
   * edge's place). The archiver reads a record's hour from that tail without
   * parsing the JSON (`hourBucket` in `lib/archive/archive_key.ts`); a record
   * that breaks it still lands in the right hour, through a full parse.
   *
   * @throws {ProduceTimeoutError} When the bus does not acknowledge in time.
   * @throws {import("./micro_batcher.ts").OverloadedError} When too much is in flight.
   */
  accept(events: PinEvent[]): Promise<ReceivedPin[]>;
  /**
   * Accepts one event as {@linkcode Ingestor.accept} does; resolves with the
   * stamped event's JSON, the very record published, so it is not serialised twice.
   */
  acceptJson(event: PinEvent): Promise<string>;
  /** Publishes dead letters; resolves once durable. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Bytes waiting for the bus. */
  inFlightBytes(): number;
  /** Flushes what it holds; accepts nothing more. */
  close(): Promise<void>;
}

async function _within(work: Promise<void>, bound: DeadlineGroup, ms: number): Promise<void> {
  try {
    await bound.within(work, () => {
      throw new ProduceTimeoutError(ms);
    });
  } catch (error) {
    if (
      error instanceof ProduceTimeoutError || error instanceof OverloadedError ||
      error instanceof ClosedError
    ) throw error;
    throw new BusUnavailableError(error);
  }
}

// The event without a `received_at` of the client's, whose key would keep its place in a
// spread and put the edge's stamp before other fields.
function _withoutReceivedAt(event: PinEvent): PinEvent {
  if (!Object.hasOwn(event, "received_at")) return event;
  const { received_at: _sent, ...fields } = event;
  return fields as PinEvent;
}

/**
 * Creates the ingestor.
 *
 * @param options The bus, topics, bound, id generator and clock.
 * @returns The ingestor.
 */
export function createIngestor(options: IngestorOptions): Ingestor {
  const { bus, pinsTopic, dlqTopic, timeoutMs, newId, now = () => new Date(), observer } = options;
  function batcher(topic: string): MicroBatcher<BusRecord> {
    return createMicroBatcher<BusRecord>({
      flush: (records) => bus.produce(topic, records),
      maxInFlightBytes: options.maxInFlightBytes,
      lingerMs: options.lingerMs,
      onFlush: (info) => observer?.onFlush?.({ topic, ...info }),
    });
  }
  const pins = batcher(pinsTopic);
  const dlq = batcher(dlqTopic);
  // One timer for every request waiting for the bus, not one each.
  const bound = createDeadlineGroup(timeoutMs);

  // Stamps and publishes the events; resolves with the stamped events and their records.
  async function publish(events: PinEvent[]): Promise<[ReceivedPin[], BusRecord[]]> {
    const receivedAt = now().toISOString();
    const stamped: ReceivedPin[] = new Array(events.length);
    const records: BusRecord[] = new Array(events.length);
    const sizes: number[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      // `received_at` last: see the contract on `Ingestor.accept`.
      const pin = {
        ..._withoutReceivedAt(event),
        event_id: event.event_id ?? newId(),
        received_at: receivedAt,
      };
      const value = JSON.stringify(pin);
      stamped[i] = pin;
      records[i] = { key: cleanText("poster_name", pin.poster_name) ?? pin.event_id, value };
      sizes[i] = value.length; // UTF-16 units: exact for ASCII, near enough for the cap
    }
    await _within(pins.add(records, sizes), bound, timeoutMs);
    return [stamped, records];
  }

  async function accept(events: PinEvent[]): Promise<ReceivedPin[]> {
    return (await publish(events))[0];
  }

  async function acceptJson(event: PinEvent): Promise<string> {
    return (await publish([event]))[1][0]!.value;
  }

  async function deadLetter(letters: DeadLetter[]): Promise<void> {
    const receivedAt = now().toISOString();
    const records = letters.map((letter): BusRecord => ({
      key: null,
      value: JSON.stringify(deadLetterRecord(letter, receivedAt)),
    }));
    await _within(
      dlq.add(records, records.map((record) => record.value.length)),
      bound,
      timeoutMs,
    );
  }

  async function close(): Promise<void> {
    await Promise.all([pins.close(), dlq.close()]);
  }

  return {
    accept,
    acceptJson,
    deadLetter,
    inFlightBytes: () => pins.inFlightBytes() + dlq.inFlightBytes(),
    close,
  };
}
