/**
 * Building lab trees for the audit and gate tests: records shaped as the
 * application writes them, files put by relative path.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A `creation.json` object as the application writes it, with `extra` merged over it. */
export function creationRecord(local: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "1.9",
    created_at: "2026-04-17T14:32:00Z",
    created_by: "asmith",
    level: "run",
    run_kind: "experimental",
    lims_project: { uid: "", short_id: "PROJ-0042", name_at_creation: "Cortex Q3 Pilot" },
    template: { name: "confocal_run_v2", version: "2.1", source_path: "/opt/t" },
    variables: {},
    paths: { local, nas: "" },
    ...extra,
  };
}

/** Write `content` (text, bytes, or an object as JSON) at `root/rel`, creating folders. */
export async function put(root: string, rel: string, content: string | Uint8Array | Record<string, unknown>): Promise<string> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  const data = typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content);
  await writeFile(path, data);
  return path;
}

/** Write a folder's `creation.json` recording the folder's own absolute path. */
export async function record(root: string, folder: string, extra: Record<string, unknown> = {}): Promise<string> {
  return put(root, join(folder, ".exlab-wizard", "creation.json"), creationRecord(join(root, folder), extra));
}

/** A config object auditing `ids` under `localRoot`. */
export function config(localRoot: string, ids: string[], more: Record<string, unknown> = {}) {
  return { localRoot, equipmentIds: ids, ...more };
}

/** `text` with the lab root written `<L>`, as the measured outputs show it. */
export function withL(root: string, text: string): string {
  return text.split(root).join("<L>");
}
