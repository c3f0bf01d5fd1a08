// A second install of this gateway's code with Aedes on stock mqtt-packet 9.0.2, in
// .bench/stock/ (created or refreshed with `npm install --omit=dev`), for benchmarks
// that compare the two parsers under the same gateway code.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

export function prepareStockDir () {
  const dir = path.join(here, '.bench', 'stock')
  fs.mkdirSync(dir, { recursive: true })
  const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'))
  pkg.name = 'mqttwire-gateway-bench-stock'
  pkg.dependencies['mqtt-packet'] = '9.0.2'
  pkg.overrides = { 'mqtt-packet': '$mqtt-packet' }
  delete pkg.devDependencies
  const text = JSON.stringify(pkg, null, 2) + '\n'
  const pkgFile = path.join(dir, 'package.json')
  const stale = !fs.existsSync(pkgFile) || fs.readFileSync(pkgFile, 'utf8') !== text || !fs.existsSync(path.join(dir, 'node_modules', 'aedes'))
  if (stale) {
    fs.writeFileSync(pkgFile, text)
    console.log(`# installing stock Aedes + mqtt-packet@9.0.2 in ${dir}`)
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit', timeout: 600_000 })
  }
  // same gateway code in both installs
  for (const f of ['gateway.js', 'server.js']) fs.copyFileSync(path.join(here, f), path.join(dir, f))
  fs.cpSync(path.join(here, 'lib'), path.join(dir, 'lib'), { recursive: true })
  return dir
}
