/**
 * A benchmark *case*: one model trained by each framework, one child process per configuration, each
 * printing one `BENCH_JSON` line with the MLP children's fields (`samplesPerS`, `firstStepS`,
 * `firstStepTrainS`, `testAcc`, `peakRssMB`, `epochS`, … — see bench/mlp/common.ts). A case lives in its
 * own folder `bench/<name>/` with a `case.ts` whose default export is a {@link BenchCase}; bench/run.ts
 * lists the cases, one line each, runs them (`--only <name>` runs one alone), and reports a table and
 * the ratios of tensorfold to each peer.
 */

/** One child process of a case. */
export interface CaseRun {
  readonly id: string
  /** the child script, relative to the repository root */
  readonly script: string
  readonly args: ReadonlyArray<string>
  readonly label: string
  readonly timeoutS?: number
}

/** A benchmark case. */
export interface BenchCase {
  /** the `--only` name, and the key of its results in latest.json */
  readonly name: string
  /** the report's section title */
  readonly title: string
  /** its children, given the run's epochs, whether it is a quick run, and whether `--webgpu` asks for tensorfold on WebGPU too */
  readonly runs: (o: { readonly epochs: number; readonly quick: boolean; readonly webgpu?: boolean }) => ReadonlyArray<CaseRun>
  /** the id of the run that stands for tensorfold in the ratios */
  readonly tensorfold: string
  /** the ids of the peers it is compared with */
  readonly peers: ReadonlyArray<string>
}

type Json = Record<string, unknown>
export type CaseResult = Json & { readonly ok: boolean; readonly id: string; readonly label: string; readonly error?: string }

const num = (u: unknown): number | undefined => (typeof u === 'number' && Number.isFinite(u) ? u : undefined)
const fmt = (x: number | undefined, d = 2): string => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(d))

/** The ratio of tensorfold's `field` (default training samples/s) to each peer's (> 1: tensorfold faster). */
export const caseRatios = (c: BenchCase, rs: ReadonlyArray<CaseResult>, field = 'samplesPerS'): Record<string, number | null> => {
  const sps = (id: string) => num(rs.find((x) => x.id === id && x.ok)?.[field])
  const t = sps(c.tensorfold)
  return Object.fromEntries(c.peers.map((p) => {
    const v = sps(p)
    return [p, t === undefined || v === undefined || !(v > 0) ? null : Math.round((t / v) * 1000) / 1000]
  }))
}
/** The predict-only ratios (runs that report `predictSamplesPerS`), or undefined when none does. */
export const casePredictRatios = (c: BenchCase, rs: ReadonlyArray<CaseResult>): Record<string, number | null> | undefined =>
  rs.some((x) => x.ok && num(x.predictSamplesPerS) !== undefined) ? caseRatios(c, rs, 'predictSamplesPerS') : undefined

/** The case's markdown section: one row per run, then the ratios. */
export const caseTable = (c: BenchCase, rs: ReadonlyArray<CaseResult>): string => {
  const rows = [
    `## ${c.title}`,
    '',
    '| configuration | samples/s (steady) | epoch 1 s | first step s (from process start / from train start) | test acc | peak RSS MB |',
    '|---|---|---|---|---|---|'
  ]
  for (const x of rs) {
    if (!x.ok) {
      rows.push(`| ${x.label} | did not run: ${String(x.error ?? '').slice(0, 160)} | – | – | – | – |`)
      continue
    }
    const ep = (x.epochS as number[] | undefined) ?? []
    const sps = typeof x.trainError === 'string' ? `cannot train: ${x.trainError.slice(0, 120)}` : `${fmt(num(x.samplesPerS), 0)}${typeof x.bounded === 'string' ? ` (${x.bounded})` : ''}`
    rows.push(`| ${x.label} | ${sps} | ${fmt(ep[0], 3)} | ${fmt(num(x.firstStepS))} / ${fmt(num(x.firstStepTrainS), 3)} | ${fmt(num(x.testAcc), 4)} | ${fmt(num(x.peakRssMB), 0)} |`)
  }
  const ratios = caseRatios(c, rs)
  rows.push('', `| ${c.tensorfold} ÷ peer, samples/s (> 1 = tensorfold faster) | ${c.peers.join(' | ')} |`, `|---|${c.peers.map(() => '---|').join('')}`)
  const show = (rt: Record<string, number | null>) => c.peers.map((p) => (rt[p] === null ? '–' : `${rt[p]!.toFixed(3)}×`)).join(' | ')
  rows.push(`| ratio | ${show(ratios)} |`)
  const pr = casePredictRatios(c, rs)
  if (pr !== undefined) {
    const per = rs.filter((x) => x.ok && num(x.predictSamplesPerS) !== undefined).map((x) => `${x.id} ${fmt(num(x.predictSamplesPerS), 0)}`)
    rows.push(`| predict only (same test digits, batch 500; samples/s: ${per.join(', ')}) | ${show(pr)} |`)
  }
  return rows.join('\n')
}
