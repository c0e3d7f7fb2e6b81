/**
 * Turning the bytes of a `config.yaml` into the text the YAML parser reads.
 *
 * @module
 */

/** The text of a config file's bytes. */
export function decodeConfigText(bytes: Buffer, _file: string): string {
  return bytes.toString("utf8");
}
