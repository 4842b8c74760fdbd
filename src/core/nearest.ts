/**
 * "Did you mean …?": the nearest of a list of names, by Levenshtein distance. Used by every error
 * that rejects a name (optimizers, losses, metrics, compile options).
 *
 * Laws: `levenshtein(a, a) = 0`; `levenshtein(a, b) = levenshtein(b, a)`; `nearest(c, cs) = c` for `c ∈ cs`.
 *
 * @since 0.1.0
 */

/**
 * The edit distance between two strings (insertions, deletions, substitutions each cost 1).
 * @example levenshtein('adamm', 'adam') // 1
 */
export const levenshtein = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost))
    }
    prev = cur
  }
  return prev[b.length]
}

/** Options of {@link nearest}. */
export interface NearestOptions {
  /** Compare case-insensitively and ignore `_`/`-` (so `'Mean_Squared_Error'` is near `'meanSquaredError'`). Default true. */
  readonly loose?: boolean
  /**
   * Give `undefined` when even the best candidate is farther than this. Default: half the name's length
   * (rounded up), at least 2 — so a typo gets its suggestion and an unrelated name gets none
   * (`'zzzzzzzzzz'` is not "near" `'sgd'`).
   */
  readonly maxDistance?: number
}

const loosen = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '')

/** How far a candidate may be from a name and still be suggested, by default. */
const defaultMaxDistance = (name: string): number => Math.max(2, Math.ceil(name.length / 2))

/**
 * The candidate nearest to `name` (the first one on ties), or `undefined` when there are none (or none
 * within `maxDistance`).
 * @example nearest('adamm', ['sgd', 'adam', 'adamw']) // 'adam'
 */
export const nearest = (name: string, candidates: ReadonlyArray<string>, options: NearestOptions = {}): string | undefined => {
  const loose = options.loose ?? true
  const key = loose ? loosen(name) : name
  let best: string | undefined
  let bestD = Infinity
  for (const c of candidates) {
    const d = levenshtein(key, loose ? loosen(c) : c)
    if (d < bestD) {
      bestD = d
      best = c
    }
  }
  return bestD <= (options.maxDistance ?? defaultMaxDistance(key)) ? best : undefined
}

/**
 * The message part "did you mean 'x'?" for an unknown name, or '' when nothing is near.
 * @example didYouMean('adamm', ['adam']) // " — did you mean 'adam'?"
 */
export const didYouMean = (name: string, candidates: ReadonlyArray<string>): string => {
  const n = nearest(name, candidates)
  return n === undefined ? '' : ` — did you mean '${n}'?`
}
