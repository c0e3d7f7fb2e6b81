/**
 * The record every contender writes, so all of them move the same bytes: an
 * `equipment.json` of the size the application writes (about 220 bytes), and
 * the `TestRuns/` marker of one project.
 */

/** The equipment payload of every rewrite. */
export const EQUIPMENT = {
  id: "CONFOCAL_01",
  label: "Confocal Microscope 1",
  configured_local_root: "/data/lab",
  configured_nas_root: "//nas01/lab",
} as const;

/** The project and equipment of every marker. */
export const MARKER = { project: "PROJ-0042", equipment: "CONFOCAL_01" } as const;

/**
 * The `created_at` a marker racer writes: racer `n` stamps second `n`, so the
 * file on disk names its winner.
 */
export function markerCreatedAt(racer: number): string {
  return `2026-04-17T14:00:${String(racer).padStart(2, "0")}Z`;
}
