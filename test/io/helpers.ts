/** Shared helpers of the io tests: an in-memory file system (for fuzzing without disk), tfjs glue. */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { join } from 'node:path'
import type { FileOps } from '../../src/io/fs.js'

/** An in-memory FileOps over a map of path -> bytes. */
export const memoryFs = (files: Map<string, Uint8Array> = new Map()): FileOps & { readonly files: Map<string, Uint8Array> } => ({
  files,
  mkdir: async () => undefined,
  writeFile: async (p, d) => {
    if (files.has(p)) throw Object.assign(new Error(`file exists ${p}`), { code: 'EEXIST' })
    files.set(p, d.slice())
  },
  link: async (a, b) => {
    const d = files.get(a)
    if (d === undefined) throw new Error(`no such file ${a}`)
    if (files.has(b)) throw Object.assign(new Error(`file exists ${b}`), { code: 'EEXIST' })
    files.set(b, d)
  },
  list: async (dir) => [...files.keys()].filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')).map((p) => p.slice(dir.length + 1)),
  syncDir: async () => undefined,
  rename: async (a, b) => {
    const d = files.get(a)
    if (d === undefined) throw new Error(`no such file ${a}`)
    files.delete(a)
    files.set(b, d)
  },
  remove: async (p) => {
    files.delete(p)
  },
  size: async (p) => files.get(p)?.length,
  read: async (p, n) => {
    const d = files.get(p)
    if (d === undefined) throw new Error(`no such file ${p}`)
    return d.slice(0, n)
  }
})

/** The model.json and weights.bin of a saved directory, as tfjs's `fromMemory` wants them. */
export const artifactsOf = (dir: string) => {
  const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
  const bin = readFileSync(join(dir, doc.weightsManifest[0].paths[0]))
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)
  return { doc, modelTopology: doc.modelTopology, weightSpecs: doc.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData }
}

/** Write a tfjs model as tfjs-node's file handler would: model.json + weights.bin. */
export const tfjsSave = async (m: tf.LayersModel, dir: string): Promise<void> => {
  let art: tf.io.ModelArtifacts | undefined
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      art = a
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    })
  )
  const a = art as tf.io.ModelArtifacts
  mkdirSync(dir, { recursive: true })
  const doc = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(doc))
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer))
}

/** Load a saved directory (tfjs layers-model format) into TensorFlow.js. */
export const tfjsLoad = (dir: string): Promise<tf.LayersModel> => {
  const a = artifactsOf(dir)
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }))
}
