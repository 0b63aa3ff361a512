/**
 * A consumer group's committed offsets for one topic, kept in
 * `<dir>/_groups/<groupId>/<topic>.json` and replaced atomically (temporary
 * file, fsync, rename) on each commit. Commits that arrive while a write is
 * queued share it. The file is written when the group first joins the
 * topic, so retention knows the group exists before it commits anything.
 *
 * @module
 */

import { replaceFileDurably, syncDirectory } from "./_durable_file.ts";

/** The committed offsets of one group on one topic. */
export interface GroupOffsets {
  /** The committed next offset of a partition, if any. */
  get(partition: number): number | undefined;
  /** Stores the next offset of a partition; resolves once it is durable. */
  commit(partition: number, nextOffset: number): Promise<void>;
  /** Waits for the writes in progress. */
  settled(): Promise<void>;
}

/** The directory name of a group: any group id, safe as a path segment. */
function _groupDirName(groupId: string): string {
  const safe = encodeURIComponent(groupId);
  return safe === "." || safe === ".." ? safe.replaceAll(".", "%2E") : safe;
}

async function _readOffsetsFile(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function _parseOffsets(text: string, groupDir: string, name: string): Map<number, number> {
  const offsets = new Map<number, number>();
  try {
    const parsed = JSON.parse(text) as { offsets: Record<string, number> };
    for (const [partition, offset] of Object.entries(parsed.offsets)) {
      if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`bad offset ${offset}`);
      offsets.set(Number(partition), offset);
    }
  } catch (error) {
    throw new Error(
      `Cannot parse committed offsets in ${groupDir}/${name}: ${
        (error as Error).message
      }; delete the file to consume from the start`,
      { cause: error },
    );
  }
  return offsets;
}

/**
 * A group's committed offsets on a topic as stored, without joining it.
 *
 * @param dir The bus directory.
 * @param groupId The consumer group.
 * @param topic The topic.
 * @returns The committed next offset per partition; empty when the group never joined.
 * @throws {Error} When the file exists but cannot be read or parsed.
 */
export async function readGroupCommits(
  dir: string,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const groupDir = `${dir}/_groups/${_groupDirName(groupId)}`;
  const text = await _readOffsetsFile(`${groupDir}/${topic}.json`);
  return text === null ? new Map() : _parseOffsets(text, groupDir, `${topic}.json`);
}

/**
 * Loads a group's committed offsets for a topic (none if never committed),
 * and records the group as a consumer of the topic if it was not one yet.
 *
 * @param dir The bus directory.
 * @param groupId The consumer group.
 * @param topic The topic.
 * @param partitions How many partitions the topic has.
 * @returns The offsets.
 * @throws {Error} When the file exists but cannot be parsed, or cannot be written.
 */
export async function loadGroupOffsets(
  dir: string,
  groupId: string,
  topic: string,
  partitions: number,
): Promise<GroupOffsets> {
  const groupsDir = `${dir}/_groups`;
  const groupDir = `${groupsDir}/${_groupDirName(groupId)}`;
  const name = `${topic}.json`;
  const text = await _readOffsetsFile(`${groupDir}/${name}`);
  const offsets = text === null ? new Map<number, number>() : _parseOffsets(text, groupDir, name);

  let created = text !== null;
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;

  async function write(): Promise<void> {
    queued = null;
    if (!created) {
      await Deno.mkdir(groupDir, { recursive: true });
      await syncDirectory(groupsDir);
      await syncDirectory(dir);
      created = true;
    }
    const snapshot = Object.fromEntries([...offsets].sort(([a], [b]) => a - b));
    await replaceFileDurably(groupDir, name, JSON.stringify({ groupId, topic, offsets: snapshot }));
  }

  if (!created) await write();
  return {
    get: (partition) => offsets.get(partition),
    commit(partition, nextOffset) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        return Promise.reject(
          new RangeError(`Cannot commit partition ${partition} of ${topic}: it has ${partitions}`),
        );
      }
      if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
        return Promise.reject(
          new RangeError(`Cannot commit offset ${nextOffset}: it must be an integer >= 0`),
        );
      }
      offsets.set(partition, nextOffset);
      if (queued) return queued;
      const next = chain.then(write);
      queued = next;
      chain = next.catch(() => {});
      return next;
    },
    settled: () => chain,
  };
}

/**
 * The committed offsets of every group that has joined a topic, as stored:
 * a commit still being written shows its previous value.
 *
 * @param dir The bus directory.
 * @param topic The topic.
 * @returns Per group (by its directory name), the committed next offset per partition.
 * @throws {Error} When a group's file cannot be read or parsed.
 */
export async function readTopicCommits(
  dir: string,
  topic: string,
): Promise<Map<string, Map<number, number>>> {
  const groups = new Map<string, Map<number, number>>();
  const groupsDir = `${dir}/_groups`;
  try {
    for await (const entry of Deno.readDir(groupsDir)) {
      if (!entry.isDirectory) continue;
      const path = `${groupsDir}/${entry.name}/${topic}.json`;
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      const parsed = JSON.parse(text) as { offsets: Record<string, number> };
      const offsets = new Map<number, number>();
      for (const [partition, offset] of Object.entries(parsed.offsets)) {
        offsets.set(Number(partition), offset);
      }
      groups.set(entry.name, offsets);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return groups;
    throw new Error(
      `Cannot read the committed offsets of topic '${topic}' in ${groupsDir}: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  return groups;
}
