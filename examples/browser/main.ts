/**
 * The browser example (examples/browser/index.html): build with `npm run example:browser`, which bundles
 * this file with esbuild for the browser and serves the folder on http://127.0.0.1:8080.
 *
 * Everything here is the ordinary package API: `import { ... } from 'tensorfold'` resolves to the
 * browser build through the package's `browser` condition.
 */
import { sequential, layers, setBackend, getBackend, installWebGpu, ready, tensor, dataSync, save, load, lambdaCallback, key, randomUniform, randomNormal, type BackendName, type Tensor } from 'tensorfold'

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement
const log = (line: string): void => {
  $('log').textContent += `${line}\n`
}

/** Two interleaved half circles with noise: 2 features, a 0/1 label. */
const twoMoons = (n: number, seed: number): { readonly x: Tensor; readonly y: Tensor } => {
  const t = dataSync(randomUniform(key(seed), [n], 0, Math.PI))
  const noise = dataSync(randomNormal(key(seed + 1), [n, 2]))
  const xs: number[][] = []
  const ys: number[][] = []
  for (let i = 0; i < n; i++) {
    const upper = i % 2 === 0
    const px = upper ? Math.cos(t[i]) : 1 - Math.cos(t[i])
    const py = upper ? Math.sin(t[i]) : 0.5 - Math.sin(t[i])
    xs.push([px + 0.1 * noise[2 * i], py + 0.1 * noise[2 * i + 1]])
    ys.push([upper ? 0 : 1])
  }
  return { x: tensor(xs), y: tensor(ys) }
}

const main = async (): Promise<Record<string, unknown>> => {
  // let the page finish loading first: compiling kernels and training keep the main thread busy
  await new Promise((r) => setTimeout(r, 0))
  const params = new URLSearchParams(location.search)
  const wanted = params.get('backend') ?? 'auto'
  const epochs = Number(params.get('epochs') ?? 40)
  if (wanted === 'webgpu') {
    const w = await installWebGpu()
    if (!w.ok) throw new Error(`WebGPU: ${w.reason}`)
  }
  // 'auto': nothing to set up — ready() (which fit also awaits) picks the page's WebGPU when an adapter
  // answers, else WebGL2, else webasm
  const backend = wanted === 'auto' ? (await ready()).name : setBackend(wanted as BackendName).name
  log(`backend: ${backend}`)

  const { x, y } = twoMoons(512, 0)
  // `units` widens the hidden layers: at 256 and more, a batch's matmuls and activations are large
  // enough to run as WebGPU kernels (smaller work stays on the webasm fallback, where it is faster)
  const units = Number(params.get('units') ?? 32)
  const model = sequential([layers.dense(units, { inputShape: [2], activation: 'relu' }), layers.dense(units, { activation: 'relu' }), layers.dense(1, { activation: 'sigmoid' })], { name: 'moons', seed: 0 })
  const trainer = model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'], seed: 0 })
  const t0 = performance.now()
  const progress = $('progress') as HTMLProgressElement
  const { trainer: trained, history } = await trainer.fit(x, y, {
    epochs,
    batchSize: 64,
    verbose: 0,
    callbacks: [
      lambdaCallback({
        onEpochEnd: (epoch, logs) => {
          progress.value = (epoch + 1) / epochs
          if ((epoch + 1) % 10 === 0 || epoch === 0) log(`epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.accuracy.toFixed(3)}`)
        }
      })
    ]
  })
  const seconds = (performance.now() - t0) / 1000
  // fit returned a NEW trainer: evaluate that one (the old `trainer` still holds the initial weights)
  const [loss, accuracy] = (await trained.evaluate(x, y, { verbose: 0 })) as ReadonlyArray<number>
  log(`trained in ${seconds.toFixed(1)} s: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(3)}`)

  // browser storage: save the trained model to IndexedDB and load it back
  const probe = tensor([[0, 0.5], [1, -0.3], [-1, 0.2]])
  const predicted = Array.from(dataSync((await trained.predict(probe, { verbose: 0 })) as Tensor))
  await save(trained, 'indexeddb://moons')
  const reloaded = await load('indexeddb://moons')
  const same = Array.from(dataSync(reloaded.predict(probe) as Tensor)).every((v, i) => v === predicted[i])
  log(`saved to indexeddb://moons and loaded back: ${same ? 'same predictions' : 'DIFFERENT predictions'}`)

  // a model from a URL (the same strict, bounded loader as files), when the page is given one
  const url = params.get('modelUrl')
  const fromUrl = url === null ? undefined : Array.from(dataSync((await load(new URL(url, location.href).href)).predict(probe) as Tensor))

  const button = $('download') as HTMLButtonElement
  button.disabled = false
  button.onclick = () => void save(trained, 'downloads://moons')

  return {
    backend,
    backendNow: getBackend().name,
    // WebGPU kernels compiled so far (the WebGPU backend only)
    gpuKernels: (getBackend() as { kernelCount?: () => number }).kernelCount?.(),
    epochs: history.epoch.length,
    firstLoss: history.history.loss[0],
    loss,
    accuracy,
    seconds,
    indexedDbSame: same,
    fromUrl,
    probe: predicted
  }
}

const w = window as unknown as { tensorfoldResult?: unknown; tensorfoldError?: string; tensorfoldDownload?: () => Promise<void> }
main().then(
  (r) => {
    w.tensorfoldResult = r
    $('result').textContent = JSON.stringify(r, null, 2)
  },
  (err: unknown) => {
    w.tensorfoldError = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)
    $('result').textContent = w.tensorfoldError
  }
)
