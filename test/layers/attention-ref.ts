/**
 * float64 references of Keras 2.15's attention layers, written from the Keras equations with plain
 * loops (no tensorfold op), for test/layers/attention*.test.ts.
 */

/** `[b][t][f]` */
export type Seq = number[][][]

/** Keras's float32 `score + (−1e9)` for a masked score (in float64 the score would survive the add). */
const masked = (s: number): number => Math.fround(Math.fround(s) + -1e9)

const softmaxRow = (row: number[]): number[] => {
  const m = Math.max(...row)
  const e = row.map((v) => Math.exp(v - m))
  const z = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / z)
}

/** Which steps of a sequence are real: Keras's `Masking(0)` (a step is masked when all its features are 0). */
export const stepMask = (x: Seq): number[][] => x.map((s) => s.map((st) => (st.every((v) => v === 0) ? 0 : 1)))

export interface DenseRefOptions {
  readonly score: (q: number[], k: number[]) => number
  readonly qMask?: number[][]
  readonly vMask?: number[][]
  readonly causal?: boolean
}

/** Keras's BaseDenseAttention.call: scores, value/causal masks, softmax, weighted sum, query mask. */
export const denseAttentionRef = (q: Seq, v: Seq, k: Seq, o: DenseRefOptions): { out: Seq; weights: Seq } => {
  const out: Seq = []
  const weights: Seq = []
  for (let b = 0; b < q.length; b++) {
    const ob: number[][] = []
    const wb: number[][] = []
    for (let i = 0; i < q[b].length; i++) {
      const row = k[b].map((kj, j) => {
        const s = o.score(q[b][i], kj)
        const keep = (o.vMask === undefined || o.vMask[b][j] === 1) && (!o.causal || j <= i)
        return keep ? s : masked(s)
      })
      const w = softmaxRow(row)
      const dv = v[b][0].length
      const y = Array.from({ length: dv }, (_, f) => w.reduce((acc, wj, j) => acc + wj * v[b][j][f], 0))
      ob.push(o.qMask !== undefined && o.qMask[b][i] === 0 ? y.map(() => 0) : y)
      wb.push(w)
    }
    out.push(ob)
    weights.push(wb)
  }
  return { out, weights }
}

export const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0)

export interface MhaWeights {
  /** [d, H, K] */ readonly wq: number[][][]
  /** [H, K] */ readonly bq?: number[][]
  readonly wk: number[][][]
  readonly bk?: number[][]
  readonly wv: number[][][]
  readonly bv?: number[][]
  /** [H, V, out] */ readonly wo: number[][][]
  /** [out] */ readonly bo?: number[]
}

/** One step's projection: x [d] · W [d, H, K] + b [H, K] -> [H][K]. */
const project = (x: number[], w: number[][][], b: number[][] | undefined): number[][] =>
  w[0].map((_, h) => w[0][h].map((_, c) => x.reduce((s, xv, d) => s + xv * w[d][h][c], b === undefined ? 0 : b[h][c])))

/**
 * Keras 2.15's MultiHeadAttention on rank-3 inputs (default attention axes): project, scale the query
 * by 1/√keyDim, scores per head, `mask` [b][T][S] (1 = attend) applied as −1e9, softmax, weighted sum,
 * output projection. Returns the output [b][T][out] and the scores [b][H][T][S].
 */
export const mhaRef = (q: Seq, v: Seq, k: Seq, w: MhaWeights, mask?: number[][][]): { out: Seq; scores: number[][][][] } => {
  const H = w.wq[0].length
  const K = w.wq[0][0].length
  const out: Seq = []
  const scores: number[][][][] = []
  for (let b = 0; b < q.length; b++) {
    const qp = q[b].map((x) => project(x, w.wq, w.bq).map((hv) => hv.map((c) => c * (1 / Math.sqrt(K)))))
    const kp = k[b].map((x) => project(x, w.wk, w.bk))
    const vp = v[b].map((x) => project(x, w.wv, w.bv))
    const sb: number[][][] = []
    const ctx: number[][][] = q[b].map(() => [])
    for (let h = 0; h < H; h++) {
      const sh: number[][] = []
      for (let i = 0; i < q[b].length; i++) {
        const row = kp.map((kj, j) => {
          const s = dot(qp[i][h], kj[h])
          return mask === undefined || mask[b][i][j] !== 0 ? s : masked(s)
        })
        const p = softmaxRow(row)
        sh.push(p)
        ctx[i][h] = vp[0][h].map((_, c) => p.reduce((acc, pj, j) => acc + pj * vp[j][h][c], 0))
      }
      sb.push(sh)
    }
    scores.push(sb)
    const outDim = w.wo[0][0].length
    out.push(ctx.map((ci) => Array.from({ length: outDim }, (_, o) => ci.reduce((s, hv, h) => s + hv.reduce((s2, cv, c) => s2 + cv * w.wo[h][c][o], 0), w.bo === undefined ? 0 : w.bo[o]))))
  }
  return { out, scores }
}
