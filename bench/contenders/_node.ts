/** What a Node contender does in the write scenarios. */
export interface NodeContender {
  /** Rewrite `equipment.json` at `path` under its lock (keep first_seen_at, stamp now). */
  rewrite(path: string): Promise<void>;
  /** Create the marker at `path` unless it exists; true when this call created it. */
  createMarker(path: string, createdAt: string): Promise<boolean>;
}
