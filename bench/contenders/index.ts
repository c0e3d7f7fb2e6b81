/** The Node contenders by the name the worker scripts take on their command line. */
import { combo } from "./combo.js";
import type { NodeContender } from "./_node.js";
import { ours } from "./ours.js";

/** Names accepted by {@link nodeContender}. */
export type NodeContenderName = "ours" | "combo";

/** Build the Node contender `name`; throws on an unknown name. */
export function nodeContender(name: string | undefined): NodeContender {
  if (name === "ours") return ours();
  if (name === "combo") return combo();
  throw new Error(`unknown contender ${JSON.stringify(name)} (expected ours or combo)`);
}
