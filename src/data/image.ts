/**
 * Images as tensors: decode PNG (fast-png) and JPEG (jpeg-js) bytes, convert channels, crop to an
 * aspect ratio and resize — the pixel pipeline of Keras's `image_dataset_from_directory`. Pure
 * functions of bytes; files are read by `io/`.
 *
 * Values are float32 in [0, 255] (16-bit PNGs are scaled to that range), laid out `[height, width,
 * channels]`. Grayscale from colour uses the ITU-R 601 luma weights (0.2989, 0.5870, 0.1140) as
 * `tf.image.rgb_to_grayscale` does; resizing is bilinear with half-pixel centres (TensorFlow 2's
 * default, no antialiasing) or nearest.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { decode as decodePng, convertIndexedToRgb } from 'fast-png'
import jpeg from 'jpeg-js'
import { type ImageError, imageError } from './errors.js'

/** Decoded pixels: `height × width × channels` floats in [0, 255]. */
export interface Pixels {
  readonly height: number
  readonly width: number
  readonly channels: number
  readonly data: Float32Array
}

/** Colour modes and their channel counts. */
export type ColorMode = 'grayscale' | 'rgb' | 'rgba'
export const channelsOf: Readonly<Record<ColorMode, number>> = { grayscale: 1, rgb: 3, rgba: 4 }

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff

/** Largest image decoded, in pixels (a lying header cannot make us allocate more). */
export const MAX_PIXELS = 50_000_000

/** Decode PNG or JPEG bytes (by their signature) to pixels with the image's own channels. */
export const decodeImage = (file: string, bytes: Uint8Array): E.Either<ImageError, Pixels> => {
  try {
    if (isPng(bytes)) {
      const png = decodePng(bytes)
      if (png.width * png.height > MAX_PIXELS) return E.left(imageError(file, `${png.width}×${png.height} is over the ${MAX_PIXELS}-pixel limit`))
      const indexed = png.palette !== undefined
      const raw = indexed ? convertIndexedToRgb(png) : png.data
      const channels = indexed ? raw.length / (png.width * png.height) : png.channels
      const scale = !indexed && png.depth === 16 ? 255 / 65535 : !indexed && png.depth < 8 ? 255 / ((1 << png.depth) - 1) : 1
      const data = new Float32Array(png.width * png.height * channels)
      for (let i = 0; i < data.length; i++) data[i] = raw[i] * scale
      return E.right({ height: png.height, width: png.width, channels, data })
    }
    if (isJpeg(bytes)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 })
      const channels = img.data.length / (img.width * img.height)
      return E.right({ height: img.height, width: img.width, channels, data: Float32Array.from(img.data) })
    }
    return E.left(imageError(file, 'not a PNG or JPEG file (unknown signature)'))
  } catch (err) {
    return E.left(imageError(file, `cannot be decoded: ${err instanceof Error ? err.message : String(err)}`))
  }
}

/** Convert to 1 (grayscale), 3 (rgb) or 4 (rgba) channels. */
export const toChannels = (p: Pixels, want: number): Pixels => {
  if (p.channels === want) return p
  const n = p.height * p.width
  const out = new Float32Array(n * want)
  const src = p.data
  const c = p.channels
  for (let i = 0; i < n; i++) {
    const o = i * c
    const hasColor = c >= 3
    const r = src[o]
    const g = hasColor ? src[o + 1] : r
    const b = hasColor ? src[o + 2] : r
    const a = c === 2 ? src[o + 1] : c === 4 ? src[o + 3] : 255
    if (want === 1) out[i] = hasColor ? 0.2989 * r + 0.587 * g + 0.114 * b : r
    else {
      out[i * want] = r
      out[i * want + 1] = g
      out[i * want + 2] = b
      if (want === 4) out[i * want + 3] = a
    }
  }
  return { height: p.height, width: p.width, channels: want, data: out }
}

/** The largest centred crop with the aspect ratio `height:width`. */
export const cropToAspect = (p: Pixels, height: number, width: number): Pixels => {
  const targetW = Math.min(p.width, Math.floor((p.height * width) / height))
  const targetH = Math.min(p.height, Math.floor((p.width * height) / width))
  const cw = Math.max(1, targetW)
  const ch = Math.max(1, targetH)
  if (cw === p.width && ch === p.height) return p
  const x0 = Math.floor((p.width - cw) / 2)
  const y0 = Math.floor((p.height - ch) / 2)
  const out = new Float32Array(cw * ch * p.channels)
  for (let y = 0; y < ch; y++) out.set(p.data.subarray(((y0 + y) * p.width + x0) * p.channels, ((y0 + y) * p.width + x0 + cw) * p.channels), y * cw * p.channels)
  return { height: ch, width: cw, channels: p.channels, data: out }
}

/** Resize to `height × width` (bilinear with half-pixel centres, or nearest). */
export const resize = (p: Pixels, height: number, width: number, interpolation: 'bilinear' | 'nearest' = 'bilinear'): Pixels => {
  if (p.height === height && p.width === width) return p
  const c = p.channels
  const out = new Float32Array(height * width * c)
  const sy = p.height / height
  const sx = p.width / width
  const src = p.data
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5)
    const y0 = interpolation === 'nearest' ? Math.min(p.height - 1, Math.floor((y + 0.5) * sy)) : Math.min(p.height - 1, Math.floor(fy))
    const y1 = Math.min(p.height - 1, y0 + 1)
    const wy = interpolation === 'nearest' ? 0 : fy - y0
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5)
      const x0 = interpolation === 'nearest' ? Math.min(p.width - 1, Math.floor((x + 0.5) * sx)) : Math.min(p.width - 1, Math.floor(fx))
      const x1 = Math.min(p.width - 1, x0 + 1)
      const wx = interpolation === 'nearest' ? 0 : fx - x0
      for (let k = 0; k < c; k++) {
        const a = src[(y0 * p.width + x0) * c + k]
        const b = src[(y0 * p.width + x1) * c + k]
        const d = src[(y1 * p.width + x0) * c + k]
        const e = src[(y1 * p.width + x1) * c + k]
        const top = a + (b - a) * wx
        const bottom = d + (e - d) * wx
        out[(y * width + x) * c + k] = top + (bottom - top) * wy
      }
    }
  }
  return { height, width, channels: c, data: out }
}
