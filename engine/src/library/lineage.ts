/**
 * Lineage in the library: which item each item came from (`items.parent_id`, migration 4) and the chains
 * that makes. An item's chain is its ancestors from the root, the item, then the line of newest descendants,
 * so stepping forward from any item in the chain walks the same line the last extension made.
 */
import { EngineError } from '../api/index.js';
import type { Library } from './library.js';
import { SUMMARY, summary, type ItemRow, type LibraryItemSummary } from './rows.js';

/** Longer chains are cut here (a guard against a cycle no code path writes, not a real limit). */
export const MAX_CHAIN = 1000;

export interface LineageView {
  chain: LibraryItemSummary[];
  /** Where the asked item is in `chain`. */
  index: number;
  /** The asked item's own children, newest first. */
  children: LibraryItemSummary[];
}

export function lineage(library: Library, id: number): LineageView {
  const row = (itemId: number) =>
    library.db.prepare(`${SUMMARY} WHERE i.id = ?`).get(itemId) as ItemRow | undefined;
  const item = row(id);
  if (!item) throw new EngineError('not_found', `library item ${id}: no such item`);

  const ancestors: LibraryItemSummary[] = [];
  const seen = new Set([id]);
  for (let parent = item.parent_id; parent !== null && ancestors.length < MAX_CHAIN;) {
    if (seen.has(parent)) break;
    seen.add(parent);
    const found = row(parent);
    if (!found) break;
    ancestors.unshift(summary(found));
    parent = found.parent_id;
  }

  const childrenOf = (itemId: number) =>
    (
      library.db
        .prepare(`${SUMMARY} WHERE i.parent_id = ? ORDER BY i.id DESC LIMIT ${MAX_CHAIN}`)
        .all(itemId) as ItemRow[]
    ).map(summary);
  const children = childrenOf(id);
  const descendants: LibraryItemSummary[] = [];
  for (let next = children[0]; next && descendants.length < MAX_CHAIN; next = childrenOf(next.id)[0]) {
    if (seen.has(next.id)) break;
    seen.add(next.id);
    descendants.push(next);
  }
  return {
    chain: [...ancestors, summary(item), ...descendants],
    index: ancestors.length,
    children,
  };
}
