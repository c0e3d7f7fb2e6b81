/**
 * Building equipment-first trees on disk, file by file, for the CLI tests:
 * valid records by default, with overrides to break exactly one thing.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Write `content` (an object is written as JSON) at `path`, creating folders. */
export async function put(path: string, content: string | object): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** A valid `equipment.json` record. */
export function equipmentRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "1.0",
    id: "CONFOCAL_01",
    label: "Confocal Microscope 1",
    configured_local_root: "/data/lab",
    configured_nas_root: "//nas01/lab",
    first_seen_at: "2025-09-12T09:14:00Z",
    last_modified_at: "2026-04-17T14:32:00Z",
    ...overrides,
  };
}

/** A valid marker record of `kind`. */
export function markerRecord(kind: "test" | "experimental", overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema_version: "1.0", run_kind: kind, created_at: "2026-04-17T14:00:00Z", project: "PROJ-0042", equipment: "CONFOCAL_01", ...overrides };
}

/** Paths of the cache files of one equipment and one project. */
export function cachePaths(root: string, id = "CONFOCAL_01", project = "PROJ-0042") {
  return {
    equipment: join(root, id, ".exlab-wizard", "equipment.json"),
    testRuns: join(root, id, project, "TestRuns", ".exlab-wizard", "test_runs.json"),
    runs: join(root, id, project, "Runs", ".exlab-wizard", "runs.json"),
  };
}

/**
 * A small valid tree: CONFOCAL_01 with project PROJ-0042 holding both
 * markers and a run folder of data under each, and FLOW_01 with one project
 * and no marker.
 */
export async function validTree(root: string): Promise<void> {
  const p = cachePaths(root);
  await put(p.equipment, equipmentRecord());
  await put(p.testRuns, markerRecord("test"));
  await put(p.runs, markerRecord("experimental"));
  await put(join(root, "CONFOCAL_01", "PROJ-0042", "TestRuns", "TestRun_2026-04-17T14-00", "image_0001.tif"), "data");
  await put(join(root, "CONFOCAL_01", "PROJ-0042", "Runs", "Run_2026-04-18T09-30", "image_0001.tif"), "data");
  await put(cachePaths(root, "FLOW_01").equipment, equipmentRecord({ id: "FLOW_01", label: "Flow Cytometer 1" }));
  await mkdir(join(root, "FLOW_01", "Cortex Q3 Pilot"), { recursive: true });
}
