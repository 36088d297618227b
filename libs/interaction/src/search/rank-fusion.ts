/** Reciprocal-rank fusion constant: 60 is the value of Cormack et al. (2009), robust across collections. */
const RRF_K = 60;

export interface FusedHit<Source extends string> {
  id: string;
  score: number;
  matchedBy: Source[];
}

/**
 * Merges ranked id lists (best first) into one by reciprocal-rank fusion: score = Σ 1 / (k + rank). Ranks, not raw
 * scores, are combined, because a text rank and a cosine distance are on unrelated scales. Ties keep the order of the
 * first list that has the id.
 */
export function fuseRankings<Source extends string>(
  rankings: { source: Source; ids: string[] }[],
  limit: number,
): FusedHit<Source>[] {
  const hits = new Map<string, FusedHit<Source> & { order: number }>();
  let order = 0;
  for (const { source, ids } of rankings) {
    ids.forEach((id, index) => {
      let hit = hits.get(id);
      if (!hit) {
        hit = { id, score: 0, matchedBy: [], order: order++ };
        hits.set(id, hit);
      }
      hit.score += 1 / (RRF_K + index + 1);
      if (!hit.matchedBy.includes(source)) hit.matchedBy.push(source);
    });
  }
  return [...hits.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ id, score, matchedBy }) => ({ id, score, matchedBy }));
}
