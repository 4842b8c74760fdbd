import { describe, it, expect, beforeAll } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encode as encodePng } from 'fast-png'
import jpeg from 'jpeg-js'
import { Data, data, datasets, toArray, dataSync, sequential, dense, flatten, type Tensor } from '../../src/index.js'
import { resize, toChannels, decodeImage } from '../../src/data/image.js'

/** A solid-colour PNG (rgb) of the given size. */
const png = (w: number, h: number, rgb: readonly [number, number, number]) =>
  encodePng({ width: w, height: h, channels: 3, depth: 8, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => rgb[i % 3]) })
const jpg = (w: number, h: number, rgb: readonly [number, number, number]) =>
  jpeg.encode({ width: w, height: h, data: Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : rgb[i % 4])) }, 95).data

describe('image pixels', () => {
  it('resizes bilinearly with half-pixel centres (TensorFlow 2) and by nearest', () => {
    const p = { height: 1, width: 2, channels: 1, data: Float32Array.of(0, 100) }
    // 2 → 4 columns: centres at -0.25, 0.25, 0.75, 1.25 (clamped) → 0, 25, 75, 100
    expect(Array.from(resize(p, 1, 4).data)).toEqual([0, 25, 75, 100])
    expect(Array.from(resize(p, 1, 4, 'nearest').data)).toEqual([0, 0, 100, 100])
  })
  it('converts channels with the ITU-R 601 luma weights', () => {
    const rgb = { height: 1, width: 1, channels: 3, data: Float32Array.of(100, 50, 200) }
    expect(toChannels(rgb, 1).data[0]).toBeCloseTo(0.2989 * 100 + 0.587 * 50 + 0.114 * 200, 3)
    expect(Array.from(toChannels({ height: 1, width: 1, channels: 1, data: Float32Array.of(7) }, 4).data)).toEqual([7, 7, 7, 255])
  })
  it('decodes PNG and JPEG by signature, and refuses anything else with the file name', () => {
    const a = decodeImage('a.png', png(3, 2, [10, 20, 30]))
    expect(E.isRight(a) && [a.right.width, a.right.height, a.right.channels, a.right.data[2]]).toEqual([3, 2, 3, 30])
    const b = decodeImage('b.jpg', jpg(8, 8, [200, 10, 10]))
    expect(E.isRight(b) && Math.abs(b.right.data[0] - 200)).toBeLessThan(8)
    const c = decodeImage('c.png', new TextEncoder().encode('GIF89a not really'))
    expect(E.isLeft(c) && c.left).toMatchObject({ _tag: 'ImageError', file: 'c.png' })
    const d = decodeImage('d.png', png(3, 2, [1, 2, 3]).slice(0, 40))
    expect(E.isLeft(d) && d.left._tag).toBe('ImageError')
  })
})

describe('imageDatasetFromDirectory', () => {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tf-img-'))
    const colours = { cats: [220, 30, 30], dogs: [30, 30, 220], owls: [30, 200, 30] } as const
    for (const [c, rgb] of Object.entries(colours)) {
      mkdirSync(join(dir, c, 'nested'), { recursive: true })
      for (let i = 0; i < 4; i++) writeFileSync(join(dir, c, `${i}.png`), png(10 + i, 12, rgb))
      writeFileSync(join(dir, c, 'nested', 'x.jpg'), jpg(16, 16, rgb))
      writeFileSync(join(dir, c, 'notes.txt'), 'not an image')
    }
  })

  it('finds classes and files as Keras does, and yields batches [images, labels]', async () => {
    const ds = (await data.imageDatasetFromDirectory(dir, { imageSize: [8, 8], batchSize: 4, seed: 1 })) as Awaited<ReturnType<typeof data.imageDatasetFromDirectory>> & { classNames: string[] }
    expect(ds.classNames).toEqual(['cats', 'dogs', 'owls'])
    const batches = (await (ds as never as { toArray(): Promise<Array<readonly [Tensor, Tensor]>> }).toArray())
    expect(batches.map(([x]) => x.shape[0])).toEqual([4, 4, 4, 3])
    expect(batches[0][0].shape).toEqual([4, 8, 8, 3])
    // each image's colour matches its label
    for (const [x, y] of batches) {
      const px = toArray(x) as number[][][][]
      ;(toArray(y) as number[]).forEach((label, i) => {
        const [r, g, b] = px[i][4][4]
        const cls = r > 150 ? 0 : b > 150 ? 1 : 2
        expect(cls === label || (g > 150 && label === 2)).toBe(true)
      })
    }
  })
  it('is deterministic for a seed and reshuffles per pass', async () => {
    const opts = { imageSize: [4, 4] as const, batchSize: null, seed: 7 }
    const labels = async (pass: number) => {
      const ds = (await data.imageDatasetFromDirectory(dir, opts)) as never as { iterate(p: number): AsyncIterator<readonly [Tensor, Tensor]> }
      const it = ds.iterate(pass)
      const out: number[] = []
      for (let r = await it.next(); !r.done; r = await it.next()) out.push(dataSync(r.value[1])[0])
      return out
    }
    const a = await labels(0)
    expect(a.length).toBe(15)
    expect(await labels(0)).toEqual(a)
    expect(await labels(1)).not.toEqual(a)
  })
  it('splits validation from the end; labelMode categorical/binary; grayscale', async () => {
    const r = await Data.imageDatasetFromDirectory(dir, { imageSize: [4, 4], validationSplit: 0.2, subset: 'both', labelMode: 'categorical', colorMode: 'grayscale', seed: 3 })()
    expect(E.isRight(r)).toBe(true)
    const [train, val] = (r as E.Right<readonly [never, never]>).right as unknown as Array<{ filePaths: string[]; toArray(): Promise<Array<readonly [Tensor, Tensor]>> }>
    expect(train.filePaths.length).toBe(12)
    expect(val.filePaths.length).toBe(3)
    expect(new Set([...train.filePaths, ...val.filePaths]).size).toBe(15)
    const [[x, y]] = await val.toArray()
    expect(x.shape).toEqual([3, 4, 4, 1])
    expect(y.shape).toEqual([3, 3])
    const binary = await Data.imageDatasetFromDirectory(dir, { labelMode: 'binary' })()
    expect(E.isLeft(binary) && binary.left.message).toMatch(/exactly 2 classes/)
  })
  it('refuses bad options, bad class names and missing folders with tagged errors', async () => {
    const typo = await Data.imageDatasetFromDirectory(dir, { imageSzie: [4, 4] } as never)()
    expect(E.isLeft(typo) && typo.left.message).toMatch(/did you mean 'imageSize'/)
    const half = await Data.imageDatasetFromDirectory(dir, { validationSplit: 0.2 })()
    expect(E.isLeft(half) && half.left.path).toBe('subset')
    const names = await Data.imageDatasetFromDirectory(dir, { classNames: ['cats', 'dogs'] })()
    expect(E.isLeft(names) && names.left.path).toBe('classNames')
    const none = await Data.imageDatasetFromDirectory(join(dir, 'nope'))()
    expect(E.isLeft(none) && none.left._tag).toBe('FileReadError')
    const size = await Data.imageDatasetFromDirectory(dir, { imageSize: [0, 4] as never })()
    expect(E.isLeft(size) && size.left.path).toBe('imageSize')
  })
  it('reports an undecodable image while iterating, naming the file', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'tf-img-bad-'))
    mkdirSync(join(bad, 'a'))
    writeFileSync(join(bad, 'a', 'broken.png'), 'not a png')
    const ds = await data.imageDatasetFromDirectory(bad, { imageSize: [4, 4] })
    const r = await Data.collect(ds as never)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'ImageError', file: join(bad, 'a', 'broken.png') })
  })
  it('trains a model with fit on the image dataset', async () => {
    const ds = await data.imageDatasetFromDirectory(dir, { imageSize: [4, 4], batchSize: 5, colorMode: 'grayscale' })
    const trainer = sequential([flatten({ inputShape: [4, 4, 1] }), dense(3, { activation: 'softmax' })], { seed: 0 }).compile({
      optimizer: 'adam',
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy']
    })
    const { history } = await trainer.fit(ds as never, undefined, { epochs: 2, verbose: 0 })
    expect(history.history.loss.length).toBe(2)
  })
})

describe('datasets.mnist', () => {
  it("gives Keras's load_data form: [n, 28, 28] pixels in [0, 255] and class ids, the same split for a seed", async () => {
    const { train, test } = await datasets.mnist({ train: 50, test: 10 })
    expect(train.x.shape).toEqual([50, 28, 28])
    expect(test.y.shape).toEqual([10])
    const px = dataSync(train.x)
    expect(Math.max(...px)).toBe(255)
    expect(px.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true)
    expect(dataSync(train.y).every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true)
    const again = await datasets.mnist({ train: 50, test: 10 })
    expect(Array.from(dataSync(again.train.y))).toEqual(Array.from(dataSync(train.y)))
    const other = await datasets.mnist({ train: 50, test: 10, seed: 1 })
    expect(Array.from(dataSync(other.train.y))).not.toEqual(Array.from(dataSync(train.y)))
  })
  it('refuses impossible splits and bad options', async () => {
    const r = await Data.mnist({ train: 9000, test: 2000 })()
    expect(E.isLeft(r) && r.left.message).toMatch(/at most 10000/)
    const bad = await Data.mnist({ trian: 5 } as never)()
    expect(E.isLeft(bad) && bad.left._tag).toBe('DatasetOptionError')
  })
})
