/**
 * One lane of the crash torture: one equipment file, rounds of writer
 * processes killed at random, and every check the issue asks for after each
 * round. See crash-torture.test.ts.
 */
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { TestContext } from "node:test";
import {
  EquipmentCacheWriter,
  equipmentJsonPath,
  runsMarkerPath,
  testRunsMarkerPath,
  withFileLock,
  type CacheWarning,
} from "exlab-cache";
import { finished, startChild, waitForLine, workerScript, type ChildResult } from "../helpers/children.js";
import { FIRST_SEEN, equipmentBytes, markerBytes, markerStamp, numberedPayload, stampOf } from "../helpers/versions.js";

/** Counters shared by the lanes. */
export interface TortureStats {
  kills: number;
  rounds: number;
  staleTemps: number;
  markers: number;
  childWins: number;
  nextWriterId: number;
}

/** Kills land 0–MAX_KILL_DELAY_MS after a child says it is ready (writing starts right then). */
const MAX_KILL_DELAY_MS = 50;
const TEST_WRITER = 0;

interface Child {
  writerId: number;
  result: ChildResult;
  equipment: number[];
  markers: number[];
  wins: Set<number>;
}

function parseOutput(writerId: number, result: ChildResult): Child {
  const child: Child = { writerId, result, equipment: [], markers: [], wins: new Set() };
  for (const line of result.stdout.split("\n")) {
    const [what, n] = line.split(" ");
    if (what === "e") child.equipment.push(Number(n));
    else if (what === "m") child.markers.push(Number(n));
    else if (what === "w") child.wins.add(Number(n));
  }
  return child;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function assertOnly(dir: string, names: string[]): Promise<void> {
  assert.deepEqual((await readdir(dir)).sort(), [...names].sort(), `${dir} holds more than ${names.join(", ")}`);
}

export class Lane {
  readonly #t: TestContext;
  readonly #root: string;
  readonly #id: string;
  readonly #path: string;
  readonly #rand: () => number;
  readonly #stats: TortureStats;
  #now: Date = new Date(FIRST_SEEN);
  #testSeq = 0;
  #round = 0;
  /** The bytes of the test's own last equipment write. */
  #lastOwn = "";
  /** Every marker that exists, with the bytes it must keep for ever. */
  readonly #markers = new Map<string, string>();
  readonly #writer: EquipmentCacheWriter;

  constructor(t: TestContext, root: string, id: string, rand: () => number, stats: TortureStats) {
    this.#t = t;
    this.#root = root;
    this.#id = id;
    this.#path = equipmentJsonPath(root, id);
    this.#rand = rand;
    this.#stats = stats;
    this.#writer = new EquipmentCacheWriter({
      clock: () => this.#now,
      lockTimeoutMs: 0,
      onWarning: (w: CacheWarning) => {
        if (w.code === "stale_temp_removed") stats.staleTemps++;
        else assert.fail(`unexpected repair during torture: ${w.message}`);
      },
    });
  }

  /** The first write: it fixes `first_seen_at` for the whole run. */
  async start(): Promise<void> {
    await this.#writer.writeEquipment(this.#path, numberedPayload(this.#id, TEST_WRITER, 0));
    this.#lastOwn = await readFile(this.#path, "utf8");
  }

  /** Start 1–3 writers, kill each at a random moment, then check everything. */
  async round(): Promise<void> {
    const tag = `${this.#id.slice(-1)}${++this.#round}`;
    const count = 1 + Math.floor(this.#rand() * 3);
    const delays = Array.from({ length: count }, () => Math.floor(this.#rand() * (MAX_KILL_DELAY_MS + 1)));
    const ids = delays.map(() => this.#stats.nextWriterId++);
    const results = await Promise.all(
      ids.map(async (writerId, i) => {
        const child = startChild(this.#t, process.execPath, [workerScript("rel-torture"), this.#root, this.#id, String(writerId), tag]);
        const done = finished(child);
        await waitForLine(child, "ready");
        await new Promise((r) => setTimeout(r, delays[i]));
        child.kill("SIGKILL");
        return done;
      }),
    );
    const children = results.map((result, i) => parseOutput(ids[i] ?? -1, result));
    for (const c of children) {
      assert.equal(c.result.signal, "SIGKILL", `writer ${c.writerId} ended on its own (code ${c.result.code}): ${c.result.stderr}`);
      this.#stats.kills++;
    }
    this.#stats.rounds++;
    await this.#checkEquipment(children);
    await this.#checkMarkers(children, tag);
    await this.#rewrite();
  }

  async #checkEquipment(children: Child[]): Promise<void> {
    const written = new Set([this.#lastOwn]);
    for (const c of children) for (const seq of c.equipment) written.add(equipmentBytes(this.#id, c.writerId, seq));
    const text = await readFile(this.#path, "utf8");
    assert.ok(written.has(text), `${this.#path} is not a version any writer wrote: ${text.slice(0, 300)}`);
    const record = await this.#writer.readEquipment(this.#path);
    assert.equal(record.first_seen_at, FIRST_SEEN);
    await withFileLock(this.#path, () => undefined, { timeoutMs: 0 });
  }

  async #checkMarkers(children: Child[], tag: string): Promise<void> {
    const tried = new Set(children.flatMap((c) => c.markers));
    for (const seq of tried) {
      this.#stats.markers++;
      const project = `R${tag}-${seq}`;
      const kind = seq % 2 === 1 ? "test" : "experimental";
      const path = kind === "test" ? testRunsMarkerPath(this.#root, this.#id, project) : runsMarkerPath(this.#root, this.#id, project);
      const racers = children.filter((c) => c.markers.includes(seq));
      const winners = racers.filter((c) => c.wins.has(seq));
      assert.ok(winners.length <= 1, `${winners.length} writers created ${path}`);
      this.#stats.childWins += winners.length;
      const text = await readOrUndefined(path);
      if (text === undefined) {
        assert.equal(winners.length, 0, `${path} was created, then vanished`);
      } else {
        const candidates = racers.map((c) => markerBytes(kind, project, this.#id, c.writerId));
        assert.ok(candidates.includes(text), `${path} is not a marker any racer wrote: ${text}`);
        const winner = winners[0];
        if (winner !== undefined) assert.equal(text, markerBytes(kind, project, this.#id, winner.writerId));
        await (kind === "test" ? this.#writer.readTestRunsMarker(path) : this.#writer.readRunsMarker(path));
      }
      await withFileLock(path, () => undefined, { timeoutMs: 0 });
      // The next write: a no-op on an existing marker, the first one otherwise.
      const payload = { project, equipment: this.#id, created_at: markerStamp(TEST_WRITER) };
      const created = kind === "test" ? await this.#writer.writeTestRunsMarker(path, payload) : await this.#writer.writeRunsMarker(path, payload);
      assert.equal(created, text === undefined, `marker ${path}: created=${created} but existed=${text !== undefined}`);
      const after = await readFile(path, "utf8");
      assert.equal(after, text ?? markerBytes(kind, project, this.#id, TEST_WRITER));
      this.#markers.set(path, after);
      await assertOnly(dirname(path), [basename(path), `${basename(path)}.lock`]);
    }
  }

  /** The next successful write, and the state it must leave. */
  async #rewrite(): Promise<void> {
    this.#now = stampOf(TEST_WRITER, ++this.#testSeq);
    await this.#writer.writeEquipment(this.#path, numberedPayload(this.#id, TEST_WRITER, this.#testSeq));
    this.#lastOwn = equipmentBytes(this.#id, TEST_WRITER, this.#testSeq);
    assert.equal(await readFile(this.#path, "utf8"), this.#lastOwn);
    await assertOnly(dirname(this.#path), ["equipment.json", "equipment.json.lock"]);
  }

  /** Markers are written once: every one must still hold its first bytes. */
  async finish(): Promise<void> {
    for (const [path, bytes] of this.#markers) assert.equal(await readFile(path, "utf8"), bytes, `${path} changed after it was written`);
  }
}
