'use strict'
// Lenient mode (strict: false; MQTTWIRE_STRICT=0; mqttwire.defaults.strict):
// mqtt-packet's leniency for exactly the error kinds of
// ErrorKind::relaxed_when_lenient (lib/errors.js relaxedWhenLenient).
//
// For every relaxed kind, inputs that fail strictly with that code parse
// leniently to the object mqtt-packet 9.0.2 gives, through
// parser(), router() and parseAsync(). Then the process-wide defaults.

const { describe, it, afterEach } = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const mqttwire = require('..')
const errors = require('../lib/errors')
const { referenceParser } = require('./helpers/reference')
const { run, split } = require('./helpers/compare')
const { createRng } = require('./helpers/random-packets')
const { lenientCases, pkt, str, props } = require('./helpers/lenient-packets')

const ROOT = path.join(__dirname, '..')
const codeString = (kind) => errors.CODE_STRINGS[errors.E[kind]]

const RELAXED_KINDS = Object.keys(errors.E).filter((k) => errors.relaxedWhenLenient(errors.E[k]))

function events (parser, chunks) {
  return run(parser, chunks)
}

function reference (bytes, version) {
  return run(referenceParser({ protocolVersion: version }), [bytes])
}

describe('relaxedWhenLenient', () => {
  it('is the list of the brief / src/error.rs', () => {
    assert.deepStrictEqual(RELAXED_KINDS.sort(), [
      'ConnackSessionPresent', 'DuplicateProperty', 'EmptyTopic', 'InvalidConnackCode',
      'InvalidPropertyValue', 'InvalidTopicFilter', 'NoReturnCodes', 'NoTopicFilters',
      'NullCharacter', 'PasswordWithoutUsername', 'PropertyNotAllowed', 'ProtocolNameMismatch',
      'PublishDupQos0', 'SharedSubscriptionNoLocal', 'TopicWildcard', 'ZeroPacketId'
    ])
    // every relaxed kind is one mqtt-packet accepts
    for (const k of RELAXED_KINDS) assert.ok(errors.isStricter(errors.E[k]), k)
  })

  it('has a test case for every relaxed kind', () => {
    const kinds = new Set(lenientCases().map((c) => c[0]))
    for (const k of RELAXED_KINDS) assert.ok(kinds.has(k), k)
  })
})

{
  describe(`lenient mode`, () => {
    for (const [kind, version, bytes] of lenientCases()) {
      it(`${kind} v${version}: ${bytes.toString('hex')}`, async () => {
        const opts = { protocolVersion: version }
        // strict (the default): this kind's error
        const strict = events(mqttwire.parser(opts), [bytes])
        if (kind === 'ConnackShortForm') {
          assert.strictEqual(strict.events.length, 1)
          assert.ok(strict.events[0].error, 'strict mode rejects a v5 CONNACK short form')
        } else {
          assert.deepStrictEqual(strict.codes, [codeString(kind)], JSON.stringify(strict.events))
        }
        // lenient: mqtt-packet's object
        const ref = reference(bytes, version)
        assert.strictEqual(ref.events.length, 1)
        assert.ok(ref.events[0].packet, 'mqtt-packet accepts it')
        const lenient = events(mqttwire.parser({ ...opts, strict: false }), [bytes])
        assert.deepStrictEqual(lenient.events, ref.events)
        assert.deepStrictEqual(lenient.returns, ref.returns)
        // byte by byte
        const bytewise = events(mqttwire.parser({ ...opts, strict: false }), split(createRng(bytes.length), bytes, 1))
        assert.deepStrictEqual(bytewise.events, ref.events)
        // router: PUBLISH as arguments, the rest as objects
        const seen = []
        const r = mqttwire.router({ ...opts, strict: false }, (topic, payload, qos, messageId, retain, dup, properties) => {
          seen.push({ topic, payload: Buffer.from(payload), qos, messageId, retain, dup, properties })
        }, (p) => seen.push(Object.assign({}, p)))
        let rerr = null
        r.on('error', (e) => { rerr = e })
        r.parse(bytes)
        assert.strictEqual(rerr, null)
        assert.strictEqual(seen.length, 1)
        const want = ref.events[0].packet
        if (want.cmd === 'publish') {
          assert.strictEqual(seen[0].topic, want.topic)
          assert.strictEqual(seen[0].messageId, want.messageId === undefined ? 0 : want.messageId)
          const props = seen[0].properties
          assert.deepStrictEqual(props === undefined ? undefined : props.toObject(), want.properties)
        } else {
          assert.deepStrictEqual(seen[0], want)
        }
        // parseAsync
        await assert.rejects(mqttwire.parseAsync(bytes, opts), (e) => e.code === (kind === 'ConnackShortForm' ? e.code : codeString(kind)))
        const packets = await mqttwire.parseAsync(bytes, { ...opts, strict: false })
        assert.deepStrictEqual(packets.map((p) => Object.assign({}, p)), [want])
      })
    }

    it('strict: true and strict: undefined are the default (strict)', () => {
      const bytes = pkt(0x40, [0, 0])
      for (const o of [{}, { strict: true }, { strict: undefined }, { strict: null }]) {
        assert.deepStrictEqual(events(mqttwire.parser({ ...o }), [bytes]).codes, [codeString('ZeroPacketId')])
      }
    })

    it('a non-boolean strict option is a TypeError', () => {
      assert.throws(() => mqttwire.parser({ strict: 0 }), TypeError)
      assert.throws(() => mqttwire.router({ strict: 'no' }, () => {}), TypeError)
    })

    it('what stays checked in lenient mode', () => {
      const lenient = (bytes, version = 4) => events(mqttwire.parser({ protocolVersion: version, strict: false }), [Buffer.from(bytes)]).codes
      assert.deepStrictEqual(lenient([0x30, 0x03, 0x00, 0x01, 0xff]), ['MQTTWIRE_INVALID_UTF8'])
      assert.deepStrictEqual(lenient([0x30, 0x80, 0x00]), ['MQTTWIRE_VAR_INT_NOT_MINIMAL'])
      assert.deepStrictEqual(lenient([0x40, 0x03, 0, 1, 0]), ['MQTTWIRE_TRAILING_BYTES'])
      assert.deepStrictEqual(lenient([0x41, 0x02, 0, 1]), ['MQTTWIRE_INVALID_HEADER_FLAGS'])
      assert.deepStrictEqual(lenient(pkt(0x10, [...str('MQTT'), 4, 0x1e, 0, 0, ...str('c'), ...str('w'), ...str('p')])), ['MQTTWIRE_WILL_QOS3'])
      assert.deepStrictEqual(lenient(pkt(0x40, [0, 1, 0x05]), 5), ['MQTTWIRE_INVALID_REASON_CODE'])
      assert.deepStrictEqual(lenient(pkt(0x90, [0, 1, 3])), ['MQTTWIRE_INVALID_SUBACK_CODE'])
      assert.deepStrictEqual(lenient(pkt(0x40, [0, 1, 0, ...props([0x7f])]), 5), ['MQTTWIRE_UNKNOWN_PROPERTY'])
      // U+0000 in the protocol name is still refused (the name must be MQTT or MQIsdp)
      assert.deepStrictEqual(lenient(pkt(0x10, [...str('MQ\u0000T'), 4, 2, 0, 0, ...str('c')])), ['MQTTWIRE_NULL_CHARACTER'])
      assert.deepStrictEqual(lenient(pkt(0x20, []), 5), ['MQTTWIRE_TRUNCATED'])
      assert.deepStrictEqual(lenient(pkt(0x20, [2]), 5), ['MQTTWIRE_CONNACK_RESERVED_FLAGS'])
    })

    it('a CONNECT switches the version; lenient mode stays', () => {
      // MQIsdp with level 4 (parsed as 3.1.1, protocolId 'MQIsdp'), then a PUBLISH with id 0
      const bytes = Buffer.concat([
        pkt(0x10, [...str('MQIsdp'), 4, 2, 0, 30, ...str('c')]),
        pkt(0x32, [...str('a/#'), 0, 0, 0x78])
      ])
      const ref = run(referenceParser(), [bytes])
      const got = events(mqttwire.parser({ strict: false }), [bytes])
      assert.deepStrictEqual(got.events, ref.events)
      assert.strictEqual(got.events[0].packet.protocolId, 'MQIsdp')
      assert.strictEqual(got.events[0].packet.protocolVersion, 4)
    })

    it('a tape that grows keeps lenient mode', () => {
      // many zero-id PUBACKs in one chunk: more records than the initial tape holds
      const one = pkt(0x40, [0, 0])
      const bytes = Buffer.concat(Array.from({ length: 20000 }, () => one))
      let n = 0
      const p = mqttwire.parser({ strict: false })
      p.on('packet', () => n++)
      p.on('error', (e) => assert.fail(e.message))
      p.parse(bytes)
      assert.strictEqual(n, 20000)
    })
  })
}

describe('defaults', () => {
  afterEach(() => {
    mqttwire.defaults.strict = true
    mqttwire.defaults.maxPacketSize = 0
  })
  const zeroId = pkt(0x40, [0, 0])

  it('are strict, no size limit', () => {
    assert.deepStrictEqual({ ...mqttwire.defaults }, { strict: true, maxPacketSize: 0 })
  })

  it('defaults.strict = false makes parsers created afterwards lenient', async () => {
    const before = mqttwire.parser()
    mqttwire.defaults.strict = false
    const after = mqttwire.parser() // Aedes: mqtt.parser() with no options
    assert.deepStrictEqual(events(before, [zeroId]).codes, [codeString('ZeroPacketId')])
    assert.deepStrictEqual(events(after, [zeroId]).events, [{ packet: { cmd: 'puback', retain: false, qos: 0, dup: false, length: 2, topic: null, payload: null, messageId: 0 } }])
    // an explicit option wins
    assert.deepStrictEqual(events(mqttwire.parser({ strict: true }), [zeroId]).codes, [codeString('ZeroPacketId')])
    // router and parseAsync too
    let got = null
    mqttwire.router(undefined, () => {}, (p) => { got = p }).parse(zeroId)
    assert.strictEqual(got.messageId, 0)
    assert.strictEqual((await mqttwire.parseAsync(zeroId))[0].messageId, 0)
  })

  it('defaults.maxPacketSize', () => {
    mqttwire.defaults.maxPacketSize = 10
    assert.deepStrictEqual(events(mqttwire.parser(), [Buffer.from([0x30, 20])]).codes, ['MQTTWIRE_PACKET_TOO_LARGE'])
    assert.deepStrictEqual(events(mqttwire.parser({ maxPacketSize: 0 }), [Buffer.from([0x30, 20])]).codes, [])
  })

  it("opts.framer: 'native' is accepted and ignored, any other value is a TypeError", async () => {
    const ping = Buffer.from([0xc0, 0])
    assert.deepStrictEqual(events(mqttwire.parser({ framer: 'native' }), [ping]).events, [{ packet: { cmd: 'pingreq', retain: false, qos: 0, dup: false, length: 0, topic: null, payload: null } }])
    for (const f of ['js', 'auto', 'rust']) {
      assert.throws(() => mqttwire.parser({ framer: f }), TypeError)
      assert.throws(() => mqttwire.router({ framer: f }, () => {}), TypeError)
      await assert.rejects(mqttwire.parseAsync(ping, { framer: f }), TypeError)
    }
  })

  it('assignments are validated', () => {
    assert.throws(() => { mqttwire.defaults.strict = 'false' }, TypeError)
    assert.throws(() => { mqttwire.defaults.maxPacketSize = -1 }, RangeError)
    assert.throws(() => { mqttwire.defaults.framer = 'native' }, TypeError) // no such default
    assert.throws(() => { mqttwire.defaults.other = 1 }, TypeError) // sealed (strict-mode code)
  })

  function child (env, code) {
    const r = spawnSync(process.execPath, ['-e', code], {
      cwd: ROOT,
      env: Object.assign({}, process.env, { MQTTWIRE_STRICT: '' }, env),
      encoding: 'utf8'
    })
    assert.strictEqual(r.status, 0, r.stderr)
    return r.stdout.trim()
  }
  const probe = `
    const m = require('.')
    const out = []
    for (let k = 0; k < 2; k++) {
      const p = m.parser({})
      p.on('packet', (x) => out.push('packet ' + x.messageId))
      p.on('error', (e) => out.push(e.code))
      p.parse(Buffer.from([0x40, 2, 0, 0]))
    }
    console.log(m.defaults.strict + ' ' + out.join(','))`

  it('MQTTWIRE_STRICT=0 (read when mqttwire loads) makes the default lenient', () => {
    assert.strictEqual(child({}, probe), 'true MQTTWIRE_ZERO_PACKET_ID,MQTTWIRE_ZERO_PACKET_ID')
    for (const v of ['0', 'false', 'off', 'no', 'FALSE']) {
      assert.strictEqual(child({ MQTTWIRE_STRICT: v }, probe), 'false packet 0,packet 0', v)
    }
    for (const v of ['1', 'true', 'on', 'yes']) {
      assert.strictEqual(child({ MQTTWIRE_STRICT: v }, probe), 'true MQTTWIRE_ZERO_PACKET_ID,MQTTWIRE_ZERO_PACKET_ID', v)
    }
    // an explicit option wins over the environment
    assert.strictEqual(child({ MQTTWIRE_STRICT: '0' }, probe.replace('m.parser({})', 'm.parser({ strict: true })')),
      'false MQTTWIRE_ZERO_PACKET_ID,MQTTWIRE_ZERO_PACKET_ID')
    // read once at load: changing the environment later has no effect
    assert.strictEqual(child({ MQTTWIRE_STRICT: '0' }, "const m = require('.'); process.env.MQTTWIRE_STRICT = '1'; console.log(m.defaults.strict)"), 'false')
  })

  it('an unknown MQTTWIRE_STRICT value warns and keeps the default', () => {
    const r = spawnSync(process.execPath, ['-e', "console.log(require('.').defaults.strict)"], {
      cwd: ROOT, env: Object.assign({}, process.env, { MQTTWIRE_STRICT: 'maybe' }), encoding: 'utf8'
    })
    assert.strictEqual(r.stdout.trim(), 'true')
    assert.match(r.stderr, /MQTTWIRE_STRICT/)
  })
})
