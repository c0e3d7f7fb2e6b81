/**
 * `creation-create.js <path> <who>`: after "go" on stdin, creates the
 * creation.json at `path` (created_by `who`); prints "created" or the
 * error code.
 */
import { CreationCacheWriter, type CreationInput } from "exlab-cache";

const [path, who] = process.argv.slice(2) as [string, string];
const input: CreationInput = {
  created_by: who,
  level: "project",
  lims_project: { uid: "", short_id: "", name_at_creation: "P" },
  template: { name: "t", version: "1.0", source_path: "/t" },
  variables: {},
  paths: { local: "/l", nas: "" },
};
const writer = new CreationCacheWriter({ durable: false });
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  writer
    .create(path, input)
    .then(
      () => process.stdout.write("created\n"),
      (err: { code?: string }) => process.stdout.write(`${err.code ?? "error"}\n`),
    )
    .finally(() => process.stdin.destroy());
});
