/**
 * `ingest-step.js <path> <create|state> <host>`: prints "ready", waits for a
 * line on stdin, then creates argv[2] (a fixed run) or advances it to the
 * state named, and prints "ok" or the error's code.
 */
import { IngestCacheWriter, type IngestState } from "exlab-cache";

const [path, op, host] = process.argv.slice(2) as [string, string, string];
const ingest = new IngestCacheWriter({ durable: false, host });
const RUN = { project_name: "P", equipment_id: "CONFOCAL_01", run_kind: "test", run_path: "CONFOCAL_01/P/TestRuns/TestRun_2026-04-17T14-32", transport: "smb_mount" } as const;
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  const work = op === "create" ? ingest.create(path, RUN) : ingest.advance(path, op as IngestState);
  work.then(
    () => process.stdout.write("ok\n"),
    (err: { code?: string; message?: string }) => process.stdout.write(`${err.code ?? err.message ?? "error"}\n`),
  ).finally(() => process.stdin.destroy());
});
