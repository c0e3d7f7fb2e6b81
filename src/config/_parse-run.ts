/**
 * Running one config parse (in this thread or a worker's) and carrying its
 * outcome as plain data: a worker can only post what structured clone
 * copies, which keeps an error's message but not its class, code or fields.
 *
 * @module
 */
import { ConfigError, ExlabCacheError, InputError } from "../errors.js";

/** Where a parse function is: a module URL and the name it exports. */
export interface ParseTask {
  readonly module: string;
  readonly fn: string;
}

/** What a parse function does: `file` names the config, `bytes` are its content. */
export type ParseFn = (file: string, bytes: Buffer) => Promise<unknown>;

const TAG = "\u0000exlab-error";

interface ErrorData {
  name: string;
  code: string;
  message: string;
  path: string | undefined;
  field: string | undefined;
  details: Record<string, unknown> | undefined;
  position: unknown;
}

/** What a worker posts back. */
export type ParseOutcome = { ok: true; value: unknown } | { ok: false; error: ErrorData } | { ok: false; crash: string };

function encodeError(err: ExlabCacheError): ErrorData {
  return { name: err.name, code: err.code, message: err.message, path: err.path, field: err.field, details: err.details, position: (err as { position?: unknown }).position };
}

function decodeError(data: ErrorData): ExlabCacheError {
  const proto = data.name === "InputError" ? InputError.prototype : data.name === "ConfigError" ? ConfigError.prototype : ExlabCacheError.prototype;
  const err = Object.create(proto) as ExlabCacheError;
  // The fields the constructor sets, as it set them in the worker; the
  // message is already the composed one.
  Object.assign(err, { ...data, stack: `${data.name}: ${data.message}` });
  if (data.name !== "ConfigError") delete (err as { position?: unknown }).position;
  return err;
}

/** `value` with every error in it replaced by plain data. */
export function encodeValue(value: unknown): unknown {
  if (value instanceof ExlabCacheError) return { [TAG]: encodeError(value) };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v)]));
  return value;
}

/** The inverse of {@link encodeValue}. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (typeof value === "object" && value !== null) {
    const tagged = (value as Record<string, unknown>)[TAG];
    if (tagged !== undefined) return decodeError(tagged as ErrorData);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}

/** The error an outcome carries, as the class it was thrown as. */
export function outcomeError(outcome: { error: ErrorData }): ExlabCacheError {
  return decodeError(outcome.error);
}

/**
 * Run `task` on `bytes`. A stack overflow anywhere in the parse (which the
 * text scan should have prevented) is `yaml_too_deep`, not an internal error;
 * so is the parser's own report of one (`RESOURCE_EXHAUSTION`).
 *
 * @throws {@link ConfigError} and whatever the parse function throws.
 */
export async function runParse(task: ParseTask, file: string, bytes: Buffer): Promise<unknown> {
  const mod = (await import(task.module)) as Record<string, unknown>;
  const fn = mod[task.fn] as ParseFn;
  try {
    return await fn(file, bytes);
  } catch (err) {
    // Only the stack running out is depth; any other RangeError (an array
    // or a string grown past what the engine holds) is size.
    const stack = err instanceof RangeError && /call stack/i.test(err.message);
    const overflow = stack || (err instanceof ConfigError && err.details?.["yaml_code"] === "RESOURCE_EXHAUSTION");
    if (err instanceof RangeError && !stack) {
      throw new ConfigError("yaml_too_complex", file, "YAML builds values too large to hold here; refusing to load it (a config is kilobytes)");
    }
    if (!overflow) throw err;
    const position = err instanceof ConfigError ? err.position : undefined;
    throw new ConfigError("yaml_too_deep", file, "YAML nests too deep to parse here; refusing to parse it (a config nests a few levels)", { position });
  }
}

/** Turn what a worker posted into the value, or throw the error it carries. */
export function settleOutcome(outcome: ParseOutcome): unknown {
  if (outcome.ok) return decodeValue(outcome.value);
  if ("error" in outcome) throw outcomeError(outcome);
  throw new Error(outcome.crash);
}

/** Run `task` and describe the outcome as plain data (the worker's side). */
export async function outcomeOf(task: ParseTask, file: string, bytes: Buffer): Promise<ParseOutcome> {
  try {
    return { ok: true, value: encodeValue(await runParse(task, file, bytes)) };
  } catch (err) {
    if (err instanceof ExlabCacheError) return { ok: false, error: encodeError(err) };
    return { ok: false, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}
