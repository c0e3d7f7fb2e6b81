/**
 * `exlab-cache mark-runs`: write a project's `Runs/` marker once.
 *
 * @module
 */
import { markCommand } from "../_mark.js";

/** The `mark-runs` command. */
export const command = markCommand("experimental");
