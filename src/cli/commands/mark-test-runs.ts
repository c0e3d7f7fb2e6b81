/**
 * `exlab-cache mark-test-runs`: write a project's `TestRuns/` marker once.
 *
 * @module
 */
import { markCommand } from "../_mark.js";

/** The `mark-test-runs` command. */
export const command = markCommand("test");
