/**
 * A generated lab tree shaped like the one the application's audit was
 * measured on (audit digest §11): E equipment × P projects × R runs, each run
 * with a record, a README with front matter, a CSV and an image (most of
 * them in a `raw/` subfolder), about one run in 75 with a leftover token.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What was generated. */
export interface LabTree {
  readonly root: string;
  readonly config: string;
  readonly folders: number;
  readonly files: number;
}

function record(local: string, level: string, kind: string): string {
  return JSON.stringify({
    schema_version: "1.9",
    created_at: "2026-04-17T14:32:00Z",
    created_by: "asmith",
    level,
    run_kind: kind,
    lims_project: { uid: "u", short_id: "PROJ", name_at_creation: "P" },
    template: { name: "t", version: "1", source_path: "/t" },
    variables: { operator: "asmith" },
    paths: { local, nas: "" },
  });
}

const CSV = "t,value\n" + Array.from({ length: 80 }, (_, i) => `${i},${(i * 0.37).toFixed(3)}`).join("\n") + "\n";
const IMAGE = Buffer.alloc(4096, 0x4d);

/** Generate the tree under `dir` (synchronously: it is set-up, not measured). */
export function generateLabTree(dir: string, equipment: number, projects: number, runs: number): LabTree {
  const root = join(dir, "lab");
  let folders = 0;
  let files = 0;
  const mk = (p: string): void => {
    mkdirSync(p);
    folders++;
  };
  const put = (p: string, data: string | Buffer): void => {
    writeFileSync(p, data);
    files++;
  };
  mkdirSync(root, { recursive: true });
  let n = 0;
  const ids: string[] = [];
  for (let e = 0; e < equipment; e++) {
    const id = `EQ_${String(e).padStart(2, "0")}`;
    ids.push(id);
    mk(join(root, id));
    mk(join(root, id, ".exlab-wizard"));
    for (let p = 0; p < projects; p++) {
      const P = join(root, id, `PROJ-${String(p).padStart(4, "0")}`);
      mk(P);
      mk(join(P, ".exlab-wizard"));
      put(join(P, ".exlab-wizard", "creation.json"), record(P, "project", "experimental"));
      for (const [box, prefix, kind] of [["Runs", "Run_", "experimental"], ["TestRuns", "TestRun_", "test"]] as const) {
        mk(join(P, box));
        mk(join(P, box, ".exlab-wizard"));
        put(join(P, box, ".exlab-wizard", box === "Runs" ? "runs.json" : "test_runs.json"), "{}");
        for (let r = 0; r < runs / 2; r++) {
          const R = join(P, box, `${prefix}2026-04-${String(1 + (r % 28)).padStart(2, "0")}T10-${String(r).padStart(2, "0")}`);
          mk(R);
          mk(join(R, ".exlab-wizard"));
          put(join(R, ".exlab-wizard", "creation.json"), record(R, "run", kind));
          const token = n++ % 75 === 0 ? "<sample_id>" : "fixed tissue";
          put(join(R, "README.md"), `---\nsample: ${token}\noperator: asmith\n---\n# Run\n\nCalibration sweep at 488 nm.\n`);
          put(join(R, "data.csv"), CSV);
          const raw = n % 5 !== 0 ? join(R, "raw") : R;
          if (raw !== R) mk(raw);
          put(join(raw, "image.tif"), IMAGE);
        }
      }
    }
  }
  const config = join(dir, "config.yaml");
  writeFileSync(config, `paths:\n  local_root: "${root}"\nequipment:\n${ids.map((id) => `  - id: ${id}\n`).join("")}`);
  return { root, config, folders, files };
}
