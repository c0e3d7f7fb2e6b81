/**
 * Getting the bytes of a `config.yaml` off the disk.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { fromOsError } from "./errors.js";

/**
 * The whole content of `file`.
 *
 * @throws {@link InputError} when the file cannot be read.
 */
export async function readConfigBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw fromOsError(err, file);
  }
}
