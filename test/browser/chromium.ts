/**
 * Headless Chromium for the tests (Debian's `chromium` package, driven by playwright-core; no browser
 * download). Where no Chromium exists the browser tests skip with a message — except in CI (`CI` set),
 * where `.ci/run` installs it and its absence is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined && p !== '')

/** The Chromium executable, or undefined. */
export const chromiumPath: string | undefined = CANDIDATES.find((p) => existsSync(p))

/** Why the browser tests cannot run here, or undefined when they can. Throws in CI. */
export const browserSkipReason = (): string | undefined => {
  if (chromiumPath !== undefined) return undefined
  const msg = `no Chromium found (tried ${CANDIDATES.join(', ')}): install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`
  if (process.env.CI) throw new Error(`${msg} — CI must have it (.ci/run installs it)`)
  return msg
}

const BASE_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * A fresh headless Chromium with its own profile. `gpu: 'swiftshader'` gives WebGL2 on SwiftShader
 * (the CPU GL that headless Chromium uses without a GPU; `navigator.gpu` exists but no adapter
 * answers); `gpu: 'webgpu'` adds --enable-unsafe-webgpu, so a WebGPU adapter (SwiftShader's Vulkan)
 * answers too; `gpu: 'none'` passes --disable-gpu.
 */
export const launch = async (gpu: 'swiftshader' | 'webgpu' | 'none'): Promise<{ readonly context: BrowserContext; readonly close: () => Promise<void> }> => {
  if (chromiumPath === undefined) throw new Error('no Chromium')
  const profile = mkdtempSync(join(tmpdir(), 'tensorfold-chromium-'))
  const swiftshader = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist']
  const flags = gpu === 'none' ? [...BASE_FLAGS, '--disable-gpu'] : gpu === 'webgpu' ? [...BASE_FLAGS, ...swiftshader, '--enable-unsafe-webgpu'] : [...BASE_FLAGS, ...swiftshader]
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ['--headless', ...flags], acceptDownloads: true })
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
    }
  }
}
