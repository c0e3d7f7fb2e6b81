/**
 * One write attempt in its own process (run as another user to meet a real
 * EACCES). Prints one JSON line: {"ok":true,"result":...} or the error's
 * class, code, path, OS code and failed step.
 *
 * argv: equipment|marker <path>
 */
import { EquipmentCacheWriter, ExlabCacheError, PermissionDeniedError, WriteFailedError } from "exlab-cache";

const [what = "", path = ""] = process.argv.slice(2);
const writer = new EquipmentCacheWriter({ clock: () => new Date("2026-04-17T14:00:00Z") });
try {
  const result =
    what === "equipment"
      ? await writer.writeEquipment(path, {
          id: "CONFOCAL_01",
          label: "Written by another user",
          configured_local_root: "/data/lab",
          configured_nas_root: "//nas01/lab",
        })
      : await writer.writeTestRunsMarker(path, { project: "PROJ-0042", equipment: "CONFOCAL_01" });
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
} catch (err) {
  if (!(err instanceof ExlabCacheError)) throw err;
  const extra =
    err instanceof WriteFailedError
      ? { osCode: err.osCode, syscall: err.syscall }
      : err instanceof PermissionDeniedError
        ? { osCode: err.osCode, operation: err.operation }
        : {};
  process.stdout.write(`${JSON.stringify({ ok: false, name: err.name, code: err.code, path: err.path, message: err.message, ...extra })}\n`);
}
