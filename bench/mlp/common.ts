/**
 * What every MLP child reports, and the shared epoch bookkeeping.
 *
 * - `samplesPerS`: training samples / median wall time of the steady epochs (epochs 2..E; with a single
 *   epoch, epoch 1 itself, flagged `steadyFromEpoch1`).
 * - `firstStepS`: seconds from process start (Node's time origin: module loading, data loading, model
 *   build and the first step's compilation included) until the first training step has finished and its
 *   loss is known. `firstStepTrainS` counts from the start of training instead.
 * - `peakRssMB`: getrusage max RSS of the child process (native memory included).
 */
import { argValue, cpuS, hasFlag, median, peakRssMB, r, rssMB, sinceStartS } from '../common.js'

export interface MlpArgs {
  readonly epochs: number
  readonly quick: boolean
}

export const mlpArgs = (argv: ReadonlyArray<string>): MlpArgs => {
  const quick = hasFlag(argv, 'quick')
  const epochs = Number(argValue(argv, 'epochs') ?? (quick ? 1 : 3))
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, received ${argValue(argv, 'epochs')}`)
  return { epochs, quick }
}

/** Epoch timer: call `epochStart`/`epochEnd` around each epoch and `step` after each finished step. */
export class EpochClock {
  readonly epochS: number[] = []
  readonly epochCpuS: number[] = []
  firstStepS: number | undefined
  firstStepTrainS: number | undefined
  steps = 0
  private t0 = 0
  private c0 = 0
  private trainStart = 0
  rssAfterDataMB = 0

  dataLoaded(): void {
    this.rssAfterDataMB = rssMB()
  }
  trainBegin(): void {
    this.trainStart = performance.now()
  }
  epochStart(): void {
    if (this.trainStart === 0) this.trainStart = performance.now()
    this.t0 = performance.now()
    this.c0 = cpuS()
  }
  step(): void {
    this.steps++
    if (this.firstStepS === undefined) {
      this.firstStepS = sinceStartS()
      this.firstStepTrainS = (performance.now() - this.trainStart) / 1000
    }
  }
  epochEnd(): void {
    this.epochS.push((performance.now() - this.t0) / 1000)
    this.epochCpuS.push(cpuS() - this.c0)
  }
  /** The summary fields every MLP child emits. */
  summary(nTrain: number): Record<string, unknown> {
    const steady = this.epochS.length >= 2 ? this.epochS.slice(1) : this.epochS
    const steadyS = median(steady)
    const steadyCpu = median(this.epochCpuS.length >= 2 ? this.epochCpuS.slice(1) : this.epochCpuS)
    return {
      epochS: this.epochS.map((t) => r(t)),
      steadyEpochS: r(steadyS),
      steadyFromEpoch1: this.epochS.length < 2,
      samplesPerS: Math.round(nTrain / steadyS),
      epochCpuS: this.epochCpuS.map((t) => r(t)),
      epochCpuPerWall: r(steadyCpu / steadyS, 2),
      steps: this.steps,
      firstStepS: this.firstStepS === undefined ? null : r(this.firstStepS),
      firstStepTrainS: this.firstStepTrainS === undefined ? null : r(this.firstStepTrainS),
      rssAfterDataMB: this.rssAfterDataMB,
      peakRssMB: peakRssMB()
    }
  }
}
