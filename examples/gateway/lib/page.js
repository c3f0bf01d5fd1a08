// The notification page: public/ and MQTT.js's browser build, served at fixed
// paths on the gateway's HTTP port (the one MQTT over WebSocket and /health use).
// Only the files listed below are served; any other path is left to the caller.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const publicDir = fileURLToPath(new URL('../public/', import.meta.url))

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8'
}

// The page loads only its own files. connect-src lists ws:/wss: too, so that
// ?ws= can point the page at another gateway (see public/app.js); worker-src
// blob: is MQTT.js's timer worker (keep-alive timers that background tabs do
// not throttle).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** The URL paths the page is made of, each mapped to the file it serves. */
export function pageFiles () {
  return new Map([
    ['/', path.join(publicDir, 'index.html')],
    ['/index.html', path.join(publicDir, 'index.html')],
    ['/app.js', path.join(publicDir, 'app.js')],
    ['/style.css', path.join(publicDir, 'style.css')],
    // MQTT.js's own browser bundle (a global `mqtt`), as npm installed it
    ['/vendor/mqtt.min.js', path.join(path.dirname(require.resolve('mqtt/package.json')), 'dist', 'mqtt.min.js')]
  ])
}

/**
 * Returns a request handler `(req, res) => boolean`: true when it answered
 * (a GET or HEAD of one of the page's paths), false to let the caller go on.
 */
export function pageHandler () {
  const files = pageFiles()
  return function servePage (req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    const file = files.get(new URL(req.url, 'http://x').pathname)
    if (!file) return false
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`cannot read ${path.basename(file)}: ${err.code}\n`)
        return
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)],
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    })
    return true
  }
}
