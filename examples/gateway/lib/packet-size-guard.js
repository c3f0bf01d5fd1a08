// MAX_PACKET_SIZE enforcement in front of Aedes.
//
// Aedes 1.x creates its parser as `mqtt.parser()` with no options (lib/client.js),
// so a parser-level maxPacketSize cannot be handed to it without patching Aedes.
// Instead the gateway wraps each connection in a Duplex that follows MQTT framing
// (fixed header byte + 1..4 byte Remaining Length varint, then skip the body) and
// destroys the connection as soon as a header announces a packet larger than the
// limit -- after at most 5 bytes, before anything is buffered -- or a Remaining
// Length varint is malformed. Bytes are passed through untouched; Aedes' parser
// (mqttwire or mqtt-packet) still does all of the real parsing.
import { Duplex } from 'node:stream'

const HEADER = 0
const LENGTH = 1
const BODY = 2

export class FrameScanner {
  constructor (maxPacketSize) {
    this.max = maxPacketSize
    this.state = HEADER
    this.len = 0
    this.mul = 1
    this.lenBytes = 0
    this.left = 0
  }

  // returns null if fine, or an Error describing why the stream must be dropped
  push (buf) {
    let i = 0
    const n = buf.length
    while (i < n) {
      if (this.state === BODY) {
        const take = Math.min(this.left, n - i)
        this.left -= take
        i += take
        if (this.left === 0) this.state = HEADER
        continue
      }
      if (this.state === HEADER) {
        i++ // packet type + flags: left to the parser
        this.state = LENGTH
        this.len = 0
        this.mul = 1
        this.lenBytes = 0
        continue
      }
      // LENGTH
      const b = buf[i++]
      this.len += (b & 0x7f) * this.mul
      this.mul *= 128
      this.lenBytes++
      if (b & 0x80) {
        if (this.lenBytes === 4) return new Error('malformed Remaining Length')
        continue
      }
      const total = 1 + this.lenBytes + this.len
      if (total > this.max) {
        const err = new Error(`packet of ${total} bytes exceeds MAX_PACKET_SIZE ${this.max}`)
        err.code = 'MAX_PACKET_SIZE'
        return err
      }
      this.left = this.len
      this.state = this.left === 0 ? HEADER : BODY
    }
    return null
  }
}

// Wrap a Duplex (net.Socket or ws stream): reads are scanned, writes pass through.
export function guardPacketSize (inner, maxPacketSize, onViolation) {
  const scanner = new FrameScanner(maxPacketSize)
  let violated = false
  const outer = new Duplex({
    read () { inner.resume() },
    write (chunk, enc, cb) { inner.write(chunk, enc, cb) },
    writev (chunks, cb) {
      if (typeof inner.cork === 'function') inner.cork()
      for (let i = 0; i < chunks.length - 1; i++) inner.write(chunks[i].chunk)
      inner.write(chunks[chunks.length - 1].chunk, cb)
      if (typeof inner.uncork === 'function') inner.uncork()
    },
    final (cb) { inner.end(cb) },
    destroy (err, cb) {
      inner.destroy()
      cb(err)
    }
  })
  inner.on('data', (chunk) => {
    if (violated) return
    const err = scanner.push(chunk)
    if (err) {
      violated = true
      if (onViolation) onViolation(err)
      inner.destroy()
      outer.destroy()
      return
    }
    if (!outer.push(chunk)) inner.pause()
  })
  inner.on('end', () => outer.push(null))
  inner.on('error', (err) => outer.destroy(err))
  inner.on('close', () => { if (!outer.destroyed) outer.destroy() })
  // keep the transport's identity visible to Aedes (trustProxy / connDetails)
  outer.remoteAddress = inner.remoteAddress
  outer.remotePort = inner.remotePort
  if (typeof inner.setNoDelay === 'function') outer.setNoDelay = inner.setNoDelay.bind(inner)
  return outer
}
