/**
 * The control file of a running `deno task dev`: `<dataDir>/dev.control.json`,
 * mode 0600, written when its control listener is up and removed when it
 * stops. It says where the listener is and the token it wants, so that other
 * tasks on the same data directory (`batch`, `query`) can ask it for work;
 * and which stores it holds, so that they know whether they share them.
 *
 * @module
 */

/** A store the process holds: its adapter and where it lives. */
export interface HeldStore {
  kind: string;
  address: string;
}

/** What the control file holds. */
export interface ControlFile {
  pid: number;
  /** The control listener, `http://127.0.0.1:<port>`. */
  url: string;
  /** The bearer token every request must carry. */
  token: string;
  startedAt: string;
  archive: HeldStore;
  history: HeldStore;
}

/**
 * Where the control file of a data directory lives.
 *
 * @param dataDir The data directory.
 * @returns The path.
 */
export function controlFilePath(dataDir: string): string {
  return `${dataDir}/dev.control.json`;
}

/**
 * Writes the control file, readable by its owner only; replaces the file of
 * a previous process atomically (temporary file and rename).
 *
 * @param dataDir The data directory.
 * @param control What to write.
 */
export async function writeControlFile(dataDir: string, control: ControlFile): Promise<void> {
  const path = controlFilePath(dataDir);
  const temporary = `${path}.${control.pid}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(control, null, 2) + "\n", { mode: 0o600 });
  await Deno.chmod(temporary, 0o600);
  await Deno.rename(temporary, path);
}

/**
 * Removes the control file, unless another process has replaced it since.
 *
 * @param dataDir The data directory.
 * @param token The token this process wrote.
 */
export async function removeControlFile(dataDir: string, token: string): Promise<void> {
  const path = controlFilePath(dataDir);
  const current = await readControlFile(dataDir).catch(() => null);
  if (current?.token === token) await Deno.remove(path).catch(() => {});
}

function _isStore(value: unknown): value is HeldStore {
  const store = value as Partial<HeldStore> | null;
  return typeof store?.kind === "string" && typeof store.address === "string";
}

/**
 * Reads the control file.
 *
 * @param dataDir The data directory.
 * @returns Its content, or null when there is none.
 * @throws {Error} When it exists but is not a control file, naming its path.
 */
export async function readControlFile(dataDir: string): Promise<ControlFile | null> {
  const path = controlFilePath(dataDir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  let parsed: Partial<ControlFile>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  const valid = Number.isSafeInteger(parsed.pid) && typeof parsed.url === "string" &&
    /^http:\/\/127\.0\.0\.1:\d+$/.test(parsed.url) && typeof parsed.token === "string" &&
    typeof parsed.startedAt === "string" && _isStore(parsed.archive) && _isStore(parsed.history);
  if (!valid) {
    throw new Error(`Cannot read ${path}: it is not a control file written by deno task dev`);
  }
  return parsed as ControlFile;
}
