/**
 * `creation.json` for people: a record flattened to one `path  value` line
 * per leaf, nested blocks as dotted paths, free-form values (variables,
 * override entries) as compact JSON. Shared by `show` and the override
 * commands.
 *
 * @module
 */

const FREE_FORM = /^(variables\.[^]*|validation_overrides\[\d+\])$/;

/**
 * `record` as `{ "lims_project.uid": ..., "plugins_applied[0].status": ... }`,
 * in on-disk order; empty arrays and objects stay as they are.
 *
 * @example
 * ```ts
 * flattenForPeople({ paths: { local: "/l", nas: "" } }); // { "paths.local": "/l", "paths.nas": "" }
 * ```
 */
export function flattenForPeople(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (value: unknown, at: string): void => {
    const container = typeof value === "object" && value !== null;
    const empty = container && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
    if (!container || empty || FREE_FORM.test(at)) {
      out[at] = value;
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}[${i}]`));
    else for (const [k, v] of Object.entries(value)) visit(v, at === "" ? k : `${at}.${k}`);
  };
  for (const [k, v] of Object.entries(record)) if (v !== undefined) visit(v, k);
  return out;
}
