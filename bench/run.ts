/**
 * `npm run bench`: tensorfold against TensorFlow.js (cpu, wasm) and jax-js (wasm) on this machine.
 *
 *   npm run bench                    full run (~15 min on 2 cores): 2 interleaved rounds of op
 *                                    benchmarks, 3 interleaved 3-epoch MLP children per framework (the
 *                                    median child reported), 10,000-step memory run
 *   npm run bench -- --quick         ~3 min: 1 round, fewer reps, 1 epoch, 1,000-step memory run
 *   options: --epochs N   --rounds N   --mlp-rounds N   --steps N (memory run)   --only ops,mlp,memory,cnn (cases: bench/<name>/case.ts)   --no-write
 *            --webgpu (also: the MLP, CNN and LSTM cases' tensorfold `fit` on setBackend('webgpu'), and
 *                      bench/webgpu.ts: matmul GFLOP/s at 1024–4096 on tensorfold's WebGPU kernels, through Dawn)
 *
 * Every measurement runs in its own child process (`node --import tsx bench/<child>.ts`, with
 * GLIBC_TUNABLES set as in the gpu.js field notes §0) which prints one `BENCH_JSON {...}` line; this
 * process only spawns, collects and reports: markdown tables, ratios of tensorfold to each peer, one
 * final JSON line on stdout, and bench/RESULTS.md (+ bench/results/latest.json) unless --no-write.
 * The ops table shows each figure as "median (best)"; around every child this process samples the load
 * average and /proc/stat (the child's `host` record, the "Load per child" section, a "Busy machine"
 * warning). The formatting lives in bench/report.ts. Nothing here asserts on timings.
 */
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { argValue, hasFlag, r } from './common.js'
import { MLP_CONFIGS, OPS_LIBS, type OpsLib } from './config.js'
import { caseRatios, casePredictRatios, caseTable, type BenchCase, type CaseResult } from './case.js'
import { fmt, fmtRatio, get, medianChild, ratio, hostRecord, loadTable, loadWarnings, LOAD_WARN, num, opsRatios, opsTable, OTHER_WARN, parseProcStat, summarizeOps, type ChildResult, type CpuTimes, type HostRecord, type Json, type LoadRow } from './report.js'

// benchmark cases (bench/<name>/case.ts): one line each
const CASES: ReadonlyArray<() => Promise<BenchCase>> = [
  () => import('./cnn/case.js').then((m) => m.default),
  () => import('./lstm/case.js').then((m) => m.default)
]

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824'

const argv = process.argv.slice(2)
const quick = hasFlag(argv, 'quick')
const epochs = Number(argValue(argv, 'epochs') ?? (quick ? 1 : 3))
const rounds = Number(argValue(argv, 'rounds') ?? (quick ? 1 : 2))
/** MLP children per configuration (interleaved rounds); the table shows the median child */
const mlpRounds = Number(argValue(argv, 'mlp-rounds') ?? (quick ? 1 : 3))
const memSteps = Number(argValue(argv, 'steps') ?? (quick ? 1000 : 10000))
const onlyArg = argValue(argv, 'only')
const write = !hasFlag(argv, 'no-write')
const webgpu = hasFlag(argv, 'webgpu')

const log = (s: string): void => {
  process.stderr.write(`[bench ${((performance.now() / 1000) | 0).toString().padStart(4)} s] ${s}\n`)
}

const sh = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}

const ticksPerS = Number(sh('getconf', ['CLK_TCK'])) || 100
/** The machine's 1-minute load average and cumulative CPU time (undefined without /proc/stat). */
const hostSample = (): { load1: number; cpu: CpuTimes | undefined } => {
  let stat = ''
  try {
    stat = fs.readFileSync('/proc/stat', 'utf8')
  } catch {
    /* not Linux: load average only */
  }
  return { load1: os.loadavg()[0], cpu: parseProcStat(stat, ticksPerS) }
}

/** Every child in the order it ran, for the "Load per child" section. */
const timeline: LoadRow[] = []

/**
 * Run one child; resolve to its BENCH_JSON object (or `{ok: false, error}`), with `childWallS` and
 * `host` (the load average just before the spawn and just after the exit, and the machine's CPU use
 * meanwhile: see bench/report.ts#hostRecord).
 */
const runChild = (label: string, script: string, args: ReadonlyArray<string>, o: { nodeFlags?: ReadonlyArray<string>; timeoutS: number }): Promise<ChildResult> =>
  runChildRaw(script, args, o).then((res) => {
    timeline.push({ label, res })
    const h = res.host as HostRecord
    log(`  load ${h.load1Before.toFixed(2)} → ${h.load1After.toFixed(2)}; other processes ${fmt(h.otherCores)} of a core; child CPU/wall ${fmt(num(res.cpuPerWall))}`)
    return res
  })

const runChildRaw = (script: string, args: ReadonlyArray<string>, o: { nodeFlags?: ReadonlyArray<string>; timeoutS: number }): Promise<ChildResult> =>
  new Promise((resolve) => {
    const before = hostSample()
    const t0 = performance.now()
    const child = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, GLIBC_TUNABLES, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutS * 1000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const after = hostSample()
      const wall = (performance.now() - t0) / 1000
      const wallS = r(wall, 1)
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '))
      if (line !== undefined) {
        try {
          const res = JSON.parse(line.slice('BENCH_JSON '.length)) as ChildResult
          resolve({ ...res, childWallS: wallS, host: hostRecord(before, after, wall, num(res.processCpuS)) })
          return
        } catch {
          /* fall through */
        }
      }
      const why = signal === 'SIGKILL' ? `killed after the ${o.timeoutS} s limit` : `exited with ${code ?? signal} and no result line`
      resolve({ ok: false, error: `${script} ${args.join(' ')}: ${why}; stderr: ${err.trim().slice(-400)}`, childWallS: wallS, host: hostRecord(before, after, wall, undefined) })
    })
  })

const machine = (): Json => {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown'
  const flags = /flags\s*:\s*(.*)/.exec(cpuinfo)?.[1].split(' ') ?? []
  return {
    node: process.version,
    nproc: Number(sh('nproc', [])) || os.cpus().length,
    cpuModel: model,
    simd: ['avx2', 'avx512f'].filter((f) => flags.includes(f)),
    memGiB: r(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
    commit: sh('git', ['rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['status', '--porcelain', '--', 'src']).length > 0
  }
}

// ---------------------------------------------------------------------------------------------------
// aggregation

const mlpTable = (rs: ReadonlyArray<ChildResult & { label: string; id: string; samplesPerSRuns: number[] }>): string => {
  const rows = [
    '| configuration | samples/s (steady), median child (every child) | steady epoch s | epoch 1 s | first step s (from process start / from train start) | test acc | peak RSS MB | steady epoch CPU/wall |',
    '|---|---|---|---|---|---|---|---|'
  ]
  for (const x of rs) {
    if (!x.ok) {
      rows.push(`| ${x.label} | did not run: ${String(x.error ?? '').slice(0, 160)} | – | – | – | – | – | – |`)
      continue
    }
    const ep = (x.epochS as number[] | undefined) ?? []
    rows.push(
      `| ${x.label} | ${fmt(num(x.samplesPerS), 0)}${x.samplesPerSRuns.length > 1 ? ` (${x.samplesPerSRuns.map((v) => fmt(v, 0)).join(', ')})` : ''} | ${fmt(num(x.steadyEpochS), 3)}${x.steadyFromEpoch1 ? ' (epoch 1 only)' : ''} | ${fmt(ep[0], 3)} | ${fmt(num(x.firstStepS), 2)} / ${fmt(num(x.firstStepTrainS), 3)} | ${fmt(num(x.testAcc), 4)} | ${fmt(num(x.peakRssMB), 0)} | ${fmt(num(x.epochCpuPerWall))} |`
    )
  }
  return rows.join('\n')
}

// ---------------------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  const started = new Date()
  const load0 = os.loadavg()
  const env = machine()
  log(`${quick ? 'quick' : 'full'} run: node ${env.node}, ${env.nproc} cores (${env.cpuModel}), load ${load0.map((x) => x.toFixed(2)).join(' ')}`)

  const cases = await Promise.all(CASES.map((c) => c()))
  const only = new Set((onlyArg ?? ['ops', 'mlp', 'memory', ...cases.map((c) => c.name)].join(',')).split(','))

  // ---- ops: `rounds` interleaved rounds, order reversed every other round
  const opsRuns = new Map<OpsLib, ChildResult[]>(OPS_LIBS.map((l) => [l, []]))
  if (only.has('ops'))
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [...OPS_LIBS] : [...OPS_LIBS].reverse()
      for (const lib of order) {
        log(`ops ${lib} (round ${round + 1}/${rounds})`)
        const res = await runChild(`ops ${lib} (round ${round + 1})`, 'bench/ops.ts', [lib, ...(quick ? ['--quick'] : [])], { timeoutS: 420 })
        if (!res.ok) log(`  failed: ${res.error}`)
        opsRuns.get(lib)!.push(res)
      }
    }
  const ops = only.has('ops') ? OPS_LIBS.map((l) => summarizeOps(l, opsRuns.get(l)!)) : []

  // ---- MLP: one child per configuration
  const mlp: Array<ChildResult & { id: string; label: string; samplesPerSRuns: number[] }> = []
  /** every MLP child's record, by configuration (the tables use the median child) */
  const mlpRuns: Record<string, ChildResult[]> = {}
  if (only.has('mlp')) {
    const configs = [
      ...MLP_CONFIGS,
      // --webgpu: the same compiled `fit`, unchanged, with setBackend('webgpu') (Dawn; llvmpipe on a CPU-only machine)
      ...(webgpu ? [{ id: 'tensorfold-webgpu', script: 'bench/mlp/tensorfold.ts', args: ['compiled', '--webgpu'], label: "tensorfold compiled on WebGPU (fit, setBackend('webgpu'))" }] : [])
    ]
    // `mlpRounds` children per configuration, interleaved, order reversed every other round: one child's
    // figure moves ±30% with the machine, so the table takes each configuration's median child
    const runs = new Map<string, ChildResult[]>(configs.map((c) => [c.id, []]))
    for (let round = 0; round < mlpRounds; round++)
      for (const c of round % 2 === 0 ? configs : [...configs].reverse()) {
        log(`mlp ${c.id} (${epochs} epoch${epochs > 1 ? 's' : ''}; round ${round + 1}/${mlpRounds})`)
        const res = await runChild(`mlp ${c.id}`, c.script, [...c.args, '--epochs', String(epochs), ...(quick ? ['--quick'] : [])], { timeoutS: 600 })
        if (!res.ok) log(`  did not run: ${res.error}`)
        else log(`  ${res.samplesPerS} samples/s, test acc ${res.testAcc}`)
        runs.get(c.id)!.push(res)
      }
    for (const c of configs) {
      mlp.push({ ...medianChild(runs.get(c.id)!), id: c.id, label: c.label })
      mlpRuns[c.id] = runs.get(c.id)!
    }
  }

  // ---- cases (bench/<name>/case.ts): one child per configuration
  const caseResults: Array<{ c: BenchCase; results: CaseResult[] }> = []
  for (const c of cases.filter((k) => only.has(k.name))) {
    const results: CaseResult[] = []
    for (const run of c.runs({ epochs, quick, webgpu })) {
      log(`${c.name} ${run.id} (${epochs} epoch${epochs > 1 ? 's' : ''})`)
      const res = await runChild(`${c.name} ${run.id}`, run.script, run.args, { timeoutS: run.timeoutS ?? 600 })
      if (!res.ok) log(`  did not run: ${res.error}`)
      else log(`  ${res.samplesPerS} samples/s, test acc ${res.testAcc}${res.predictSamplesPerS === undefined ? '' : `, predict ${res.predictSamplesPerS} samples/s`}${typeof res.trainError === 'string' ? ` (cannot train: ${res.trainError})` : ''}`)
      results.push({ ...res, id: run.id, label: run.label })
    }
    caseResults.push({ c, results })
  }

  // ---- memory over a long run
  let memory: ChildResult | undefined
  if (only.has('memory')) {
    log(`memory: ${memSteps} steps, tensorfold compiled, batch 32`)
    memory = await runChild('memory', 'bench/memory.ts', ['--steps', String(memSteps)], { nodeFlags: ['--expose-gc'], timeoutS: 900 })
    if (!memory.ok) log(`  failed: ${memory.error}`)
  }

  // ---- optional: gpu.js WebGPU kernels (Dawn), op by op
  let wg: ChildResult | undefined
  if (webgpu) {
    log('webgpu (gpu.js kernels through Dawn)')
    wg = await runChild('webgpu', 'bench/webgpu.ts', [], { timeoutS: 1800 })
    if (!wg.ok) log(`  failed: ${wg.error}`)
  }

  const load1 = os.loadavg()
  const finished = new Date()
  const totalS = r((finished.getTime() - started.getTime()) / 1000, 0)

  // ---- ratios: tensorfold (webasm; compiled fit, else the jitted hand-written step) over each peer
  const opsBy = (l: OpsLib) => ops.find((o) => o.lib === l)
  const tfw = opsBy('tensorfold-webasm')
  const peers: OpsLib[] = ['tfjs-cpu', 'tfjs-wasm', 'jax-wasm', 'tensorfold-cpu']
  const mlpBy = (id: string) => mlp.find((m) => m.id === id && m.ok)
  const tfMlp = mlpBy('tensorfold-compiled') ?? mlpBy('tensorfold-manual-jit')
  const ratios = peers.map((p) => {
    const o = opsBy(p)
    const peerMlp = p === 'tensorfold-cpu' ? undefined : mlpBy(p === 'jax-wasm' ? 'jax-wasm' : p)
    return {
      peer: p,
      ...opsRatios(tfw, o),
      mlpSamplesPerS: ratio(num(tfMlp?.samplesPerS), num(peerMlp?.samplesPerS))
    }
  })
  const ratioTable = [
    `| tensorfold-webasm ÷ peer (speed, from the medians; > 1 = tensorfold faster) | matmul 512 | matmul 512, tensorfold threaded | matmul 1024 | add 1e6 | exp 1e6 | tiny add + read | MLP samples/s (${tfMlp?.id ?? 'n/a'}) |`,
    '|---|---|---|---|---|---|---|---|',
    ...ratios.map((x) => `| vs ${x.peer} | ${fmtRatio(x.matmul512)} | ${fmtRatio(x.matmul512Threaded)} | ${fmtRatio(x.matmul1024)} | ${fmtRatio(x.add)} | ${fmtRatio(x.exp)} | ${fmtRatio(x.tinyAddRead)} | ${fmtRatio(x.mlpSamplesPerS)} |`)
  ].join('\n')

  const memTable =
    memory === undefined
      ? ''
      : memory.ok
        ? [
            '| run | model, batch | steps/s | RSS after 100 steps MB | RSS after N steps MB | ratio | heap MB (100 → N) |',
            '|---|---|---|---|---|---|---|',
            `| tensorfold compiled, ${String(memory.api)} | ${String(memory.model)}, ${String(memory.batch)} on ${String(memory.trainSamples)} samples | ${fmt(num(memory.stepsPerS), 1)} | ${fmt(num(memory.rssAt100MB), 0)} | ${fmt(num(memory.rssAtEndMB), 0)} (N = ${String(memory.steps)}) | ${fmt(num(memory.ratio), 3)} | ${fmt(num(memory.heapAt100MB), 0)} → ${fmt(num(memory.heapAtEndMB), 0)} |`
          ].join('\n')
        : `memory run failed: ${memory.error}`

  const targets = {
    matmul512WebasmGflops: tfw?.matmulGflops['512'] ?? null,
    matmul512WebasmThreadedGflops: tfw?.matmulThreadedGflops['512'] ?? null,
    matmul512WebasmOneThreadGflops: opsBy('tensorfold-webasm-1t')?.matmulGflops['512'] ?? null,
    matmul512WebasmOneThreadSteadyGflops: opsBy('tensorfold-webasm-1t')?.matmul512SteadyGflops ?? null,
    matmul512Target: 15,
    matmul512ThreadedTarget: 25,
    addGBs: tfw?.addGBs ?? null,
    addSteadyGBs: tfw?.addSteadyGBs ?? null,
    addTargetGBs: 10,
    tinyAddUs: tfw?.tinyUs.op ?? null,
    tinyAddTargetUs: 5
  }
  const notRun = [
    ...ops.filter((o) => !o.ok).map((o) => `ops ${o.lib}: ${o.error}`),
    ...mlp.filter((m) => !m.ok).map((m) => `mlp ${m.id}: ${m.error}`),
    ...(memory !== undefined && !memory.ok ? [`memory: ${memory.error}`] : []),
    ...caseResults.flatMap(({ c, results }) => results.filter((x) => !x.ok).map((x) => `${c.name} ${x.id}: ${x.error}`))
  ]

  const header = [
    `Date: ${started.toISOString()} (${totalS} s)  `,
    `Mode: ${quick ? '`--quick`' : 'full'}; ops rounds ${rounds}; MLP epochs ${epochs}; memory steps ${memSteps}  `,
    `Machine: node ${env.node}, nproc ${env.nproc}, ${env.cpuModel} (${(env.simd as string[]).join(', ') || 'no AVX2'}), ${env.memGiB} GiB, ${env.os}  `,
    `Load average (1/5/15 min): start ${load0.map((x) => x.toFixed(2)).join(' ')}, end ${load1.map((x) => x.toFixed(2)).join(' ')}  `,
    `tensorfold commit ${env.commit}${env.dirty ? ' + uncommitted changes in src/' : ''}; GLIBC_TUNABLES=${GLIBC_TUNABLES}`
  ].join('\n')

  const warnings = loadWarnings(timeline)
  const report = [
    ...(warnings.length > 0
      ? [
          `**Busy machine**: ${warnings.length} of ${timeline.length} children started at a 1-minute load average above ${LOAD_WARN} or ran beside more than ${OTHER_WARN} of a core of other processes' work, so their figures are stretched (see "Load per child"):`,
          '',
          ...warnings.map((w) => `- ${w}`),
          ''
        ]
      : []),
    '## Ops (median over processes of per-process medians, and in brackets the fastest single run of any process; ratios use the medians; results read back to the host inside the timed region)',
    '',
    opsTable(ops),
    '',
    '## MLP 784-128-64-10 on MNIST (8,000 train / 2,000 test), Adam 1e-3, batch 128',
    '',
    mlpTable(mlp),
    '',
    ...caseResults.flatMap(({ c, results }) => [caseTable(c, results), '']),
    '## Memory over a long run',
    '',
    memTable,
    '',
    '## Ratios',
    '',
    ratioTable,
    '',
    ...(wg === undefined
      ? []
      : wg.ok
        ? [
            `## WebGPU (${String(wg.adapter)}; adapter: ${Object.values((wg.adapterInfo ?? {}) as Record<string, string>).filter((v) => v !== '').join(', ') || 'no info'})`,
            '',
            ...(wg.softwareRendered === true ? ['**Software-rendered**: this adapter runs WebGPU on the CPU (Mesa llvmpipe / SwiftShader), so these are the CPU\'s figures, not a GPU\'s.', ''] : []),
            `| tensorfold WebGPU matmul GFLOP/s (${Object.keys((wg.tensorfoldMatmul ?? {}) as Json).join(' / ')}) |`,
            '|---|',
            `| ${Object.keys((wg.tensorfoldMatmul ?? {}) as Json).map((n) => fmt(num(get(wg, 'tensorfoldMatmul', n, 'gflops')))).join(' / ')} |`,
            '',
            '| matmul GFLOP/s (128 / 256 / 512) | add 1e6 ms | exp 1e6 ms | tiny add + read µs | tensorfold setBackend(\'webgpu\') |',
            '|---|---|---|---|---|',
            `| ${['128', '256', '512'].map((n) => fmt(num(get(wg, 'matmul', n, 'gflops')))).join(' / ')} | ${fmt(num(get(wg, 'elementwise', 'add', 'ms')))} | ${fmt(num(get(wg, 'elementwise', 'exp', 'ms')))} | ${fmt(num(wg.tinyAddReadUs))} | ${String(wg.tensorfoldSetBackendWebgpu).replace(/^setBackend: gpu\.js mode "webgpu" is not available here: /, 'refused: ').slice(0, 200)} |`,
            ''
          ]
        : ['## WebGPU', '', `did not run: ${wg.error}`, '']),
    '## Load per child',
    '',
    `Sampled by bench/run.ts just before each child's spawn and just after its exit. The 1-minute load average is an exponentially damped average (time constant one minute), so the bench's own previous child still counts in it; *other processes* is the machine's CPU time (/proc/stat) during the child less the child's own, per second of wall time: above ${OTHER_WARN} (⚠), something else ran. *child CPU/wall* is the child's CPU seconds per second of its life (below 1: it waited for a core; above 1: it ran threads).`,
    '',
    loadTable(timeline),
    '',
    `Targets (issue 12): matmul 512 on webasm ${fmt(targets.matmul512WebasmOneThreadGflops)} GFLOP/s on one thread, ${fmt(targets.matmul512WebasmOneThreadSteadyGflops)} after its first calls (aim ≥ ${targets.matmul512Target}; ${fmt(targets.matmul512WebasmGflops)} eager with the kernel threads) and ${fmt(targets.matmul512WebasmThreadedGflops)} threaded through jit.async (aim ≥ ${targets.matmul512ThreadedTarget}); add 1e6 ${fmt(targets.addGBs)} GB/s, ${fmt(targets.addSteadyGBs)} from its 55th call (aim ≥ ${targets.addTargetGBs}); tiny add ${fmt(targets.tinyAddUs)} µs/call (aim < ${targets.tinyAddTargetUs}).`,
    ...(notRun.length > 0 ? ['', '## Did not run', '', ...notRun.map((s) => `- ${s}`)] : [])
  ].join('\n')

  process.stdout.write(`\n${header}\n\n${report}\n\n`)

  const all = {
    bench: 'tensorfold',
    date: started.toISOString(),
    quick,
    rounds,
    epochs,
    memSteps,
    totalS,
    machine: { ...env, load1Start: r(load0[0], 2), load1End: r(load1[0], 2) },
    ops,
    mlp: mlp.map((m) => ({ ...m })),
    mlpRuns,
    memory: memory ?? null,
    cases: Object.fromEntries(caseResults.map(({ c, results }) => [c.name, { results, ratios: caseRatios(c, results), predictRatios: casePredictRatios(c, results) ?? null }])),
    webgpu: wg ?? null,
    ratios,
    targets,
    notRun
  }
  if (write) {
    fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
    fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify({ ...all, opsRuns: Object.fromEntries(opsRuns) }, null, 1) + '\n')
    const md = [
      '# Benchmark results (latest run)',
      '',
      'Written by `npm run bench` (bench/run.ts); what each number means: [docs/performance.md](../docs/performance.md).',
      'Raw per-process results: [results/latest.json](results/latest.json).',
      '',
      header,
      '',
      report,
      ''
    ].join('\n')
    fs.writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), md)
    log('wrote bench/RESULTS.md and bench/results/latest.json')
  }
  process.stdout.write(JSON.stringify(all) + '\n')
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
