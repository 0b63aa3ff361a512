/**
 * Applies one partition's micro-batch so that records the database refuses
 * for what they contain never stall the partition: when the whole batch is
 * refused, it is split in halves, and halves again, until each refused
 * record stands alone. Each part that the database takes is applied in its
 * own transaction together with the partition's next offset, so the effect
 * stays exactly-once; each refused record is handed to `refuse` (the
 * dead-letter topic) before any offset moves past it.
 *
 * @module
 */

import type { ApplyResult, PositionedPin } from "../realtime/realtime_store.ts";
import { RecordsRefusedError } from "../realtime/realtime_store.ts";

/** What {@linkcode applyIsolatingRefusals} writes with. */
export interface IsolatingDeps {
  /**
   * Applies `pins` and moves the offset to `nextOffset`, in one transaction;
   * rides out outages itself, and throws {@linkcode RecordsRefusedError} when
   * the database refuses a record.
   */
  apply(pins: PositionedPin[], nextOffset: number): Promise<ApplyResult>;
  /** Records a refused record durably (the dead-letter topic). */
  refuse(item: PositionedPin, error: RecordsRefusedError): Promise<void>;
}

/** What applying a batch did, refused records included. */
export interface IsolatedResult extends ApplyResult {
  /** Records the database refused, handed to `refuse`. */
  refused: number;
}

function _sum(a: IsolatedResult, b: IsolatedResult): IsolatedResult {
  return {
    applied: a.applied + b.applied,
    duplicates: a.duplicates + b.duplicates,
    replayed: a.replayed + b.replayed,
    refused: a.refused + b.refused,
  };
}

/**
 * Applies a batch, isolating the records the database refuses.
 *
 * @param pins The batch's pins, in offset order.
 * @param nextOffset The offset after the batch's last record.
 * @param deps How to apply a part and how to refuse a record.
 * @returns What was applied, dropped as duplicates, skipped as replayed, and refused.
 * @throws What `deps.apply` or `deps.refuse` throw, other than a refusal of pins.
 */
export async function applyIsolatingRefusals(
  pins: PositionedPin[],
  nextOffset: number,
  deps: IsolatingDeps,
): Promise<IsolatedResult> {
  try {
    return { ...(await deps.apply(pins, nextOffset)), refused: 0 };
  } catch (error) {
    // With no pins, only the offset moves: a refusal then is no record's fault.
    if (!(error instanceof RecordsRefusedError) || pins.length === 0) throw error;
    if (pins.length === 1) {
      await deps.refuse(pins[0]!, error);
      const moved = await applyIsolatingRefusals([], nextOffset, deps);
      return { ...moved, refused: 1 };
    }
    const middle = pins.length >>> 1;
    const right = pins.slice(middle);
    const first = await applyIsolatingRefusals(pins.slice(0, middle), right[0]!.offset, deps);
    return _sum(first, await applyIsolatingRefusals(right, nextOffset, deps));
  }
}
