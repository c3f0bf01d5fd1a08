'use strict'
// Makes a fresh clone ready: installs npm dependencies when missing and
// (re)builds the native addon when it is missing or older than the Rust
// sources. Called by `npm test`, `npm start` and `npm run bench`, so those
// commands work with nothing before them.
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run (cmd, args, cwd = root) {
  console.log(`[setup] ${cmd} ${args.join(' ')}${cwd !== root ? ` (in ${path.relative(root, cwd)})` : ''}`)
  execFileSync(cmd, args, { cwd, stdio: 'inherit' })
}

function newestMtime (p) {
  let st
  try { st = fs.statSync(p) } catch { return 0 }
  if (!st.isDirectory()) return st.mtimeMs
  let m = 0
  for (const e of fs.readdirSync(p)) {
    if (e === 'target' || e === 'node_modules') continue
    m = Math.max(m, newestMtime(path.join(p, e)))
  }
  return m
}

// True when the package `probe` is installed in dir at the exact version its
// package.json pins (a range is only checked for presence).
function installed (dir, probe) {
  const file = path.join(dir, 'node_modules', probe, 'package.json')
  if (!fs.existsSync(file)) return false
  const wanted = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies || {})[probe]
  if (!wanted || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(wanted)) return true
  return JSON.parse(fs.readFileSync(file, 'utf8')).version === wanted
}

function ensureDeps (dir, ...probes) {
  if (!probes.every((probe) => installed(dir, probe))) {
    // `npm install` (it follows package-lock.json): `npm ci` refuses a lock
    // that omits other platforms' optional packages, and the gateway links the
    // repo root as its mqtt-packet, whose devDependencies its lock cannot pin.
    run(npm, ['install', '--no-audit', '--no-fund'], dir)
  }
}

function addonPath () {
  const dir = fs.readdirSync(root).filter((f) => /^mqttwire\..*\.node$/.test(f))
  return dir.length ? path.join(root, dir[0]) : null
}

function ensureAddon () {
  const addon = addonPath()
  const sources = Math.max(
    newestMtime(path.join(root, 'src')),
    newestMtime(path.join(root, 'node', 'src')),
    newestMtime(path.join(root, 'node', 'Cargo.toml')),
    newestMtime(path.join(root, 'Cargo.toml'))
  )
  if (addon && fs.statSync(addon).mtimeMs >= sources) return
  run(npm, ['run', '--silent', 'build'])
}

const args = new Set(process.argv.slice(2))
ensureDeps(root, '@napi-rs/cli')
ensureAddon()
if (args.has('--gateway')) {
  const gw = path.join(root, 'examples', 'gateway')
  if (fs.existsSync(path.join(gw, 'package.json'))) ensureDeps(gw, 'aedes', 'puppeteer-core')
}
