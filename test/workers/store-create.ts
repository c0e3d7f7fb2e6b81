/**
 * Races to create argv[2] once through the store's create-once policy,
 * after "go" on stdin; prints "created" or the error code.
 */
import { CacheStore, createTally } from "../helpers/tally.js";

const path = process.argv[2] as string;
const me = process.argv[3] as string;
const store = new CacheStore({ durable: false });
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  store.change(path, createTally({ schema_version: "1.0", n: 0, notes: [me] })).then(
    () => process.stdout.write("created\n"),
    (err: { code?: string }) => process.stdout.write(`${err.code ?? "error"}\n`),
  ).finally(() => process.stdin.destroy());
});
