/**
 * `creation-append.js <path> <times> <tag>`: after "go" on stdin, appends
 * `times` override entries to the creation.json at `path` through
 * CreationCacheWriter.addOverride, one at a time; prints "done".
 */
import { CreationCacheWriter } from "exlab-cache";

const [path, times, tag] = process.argv.slice(2) as [string, string, string];
const writer = new CreationCacheWriter({ durable: false });
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  void (async () => {
    for (let i = 0; i < Number(times); i++) {
      await writer.addOverride(path, { problem_class: "orphan", operator: tag, reason: `appended by ${tag} #${i}` });
    }
    process.stdout.write("done\n");
    process.stdin.destroy();
  })();
});
