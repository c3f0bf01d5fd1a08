// Which mqtt-packet does Aedes actually load? Resolved from Aedes' own location,
// so an npm `overrides` swap (mqtt-packet -> mqttwire) shows up here.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const require = createRequire(import.meta.url)

function findPackageJson (fromFile) {
  // fallback for a package whose "exports" hides ./package.json
  let dir = path.dirname(fromFile)
  for (let i = 0; i < 20; i++) {
    const candidate = path.join(dir, 'package.json')
    if (fs.existsSync(candidate)) return candidate
    const up = path.dirname(dir)
    if (up === dir) break
    dir = up
  }
  throw new Error(`no package.json above ${fromFile}`)
}

export function parserInfo () {
  const aedesEntry = require.resolve('aedes')
  let pkgPath
  try {
    pkgPath = require.resolve('mqtt-packet/package.json', { paths: [aedesEntry] })
  } catch {
    pkgPath = findPackageJson(require.resolve('mqtt-packet', { paths: [aedesEntry] }))
  }
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
  const aedesPkg = JSON.parse(fs.readFileSync(findPackageJson(aedesEntry), 'utf8'))
  return {
    name: pkg.name, // 'mqttwire' when swapped, 'mqtt-packet' when stock
    version: pkg.version,
    path: fs.realpathSync(path.dirname(pkgPath)),
    swapped: pkg.name === 'mqttwire',
    aedesVersion: aedesPkg.version
  }
}
