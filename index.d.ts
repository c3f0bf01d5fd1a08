/// <reference types="node" />
// mqttwire: drop-in replacement for mqtt-packet 9.0.2. The declarations down to
// `Packet` follow mqtt-packet's types/index.d.ts; mqttwire's additions follow.
import { EventEmitter } from 'events'

type WritableStream = NodeJS.WritableStream

export declare type QoS = 0 | 1 | 2

export declare type PacketCmd = 'auth' |
  'connack' |
  'connect' |
  'disconnect' |
  'pingreq' |
  'pingresp' |
  'puback' |
  'pubcomp' |
  'publish' |
  'pubrel' |
  'pubrec' |
  'suback' |
  'subscribe' |
  'unsuback' |
  'unsubscribe'

export declare type UserProperties = {[index: string]: string | string[]}

export interface IPacket {
  cmd: PacketCmd
  messageId?: number
  length?: number
}

export interface IAuthPacket extends IPacket {
  cmd: 'auth'
  reasonCode: number,
  properties?: {
    authenticationMethod?: string,
    authenticationData?: Buffer,
    reasonString?: string,
    userProperties?: UserProperties,
  }
}

export interface IConnectPacket extends IPacket {
  cmd: 'connect'
  clientId: string
  protocolVersion?: 4 | 5 | 3
  protocolId?: 'MQTT' | 'MQIsdp'
  clean?: boolean
  keepalive?: number
  username?: string
  password?: Buffer
  will?: {
    topic: string
    payload: Buffer | string
    qos?: QoS
    retain?: boolean
    properties?: {
      willDelayInterval?: number,
      payloadFormatIndicator?: boolean,
      messageExpiryInterval?: number,
      contentType?: string,
      responseTopic?: string,
      correlationData?: Buffer,
      userProperties?: UserProperties
    }
  }
  properties?: {
    sessionExpiryInterval?: number,
    receiveMaximum?: number,
    maximumPacketSize?: number,
    topicAliasMaximum?: number,
    requestResponseInformation?: boolean,
    requestProblemInformation?: boolean,
    userProperties?: UserProperties,
    authenticationMethod?: string,
    authenticationData?: Buffer
  }
}

export interface IPublishPacket extends IPacket {
  cmd: 'publish'
  qos: QoS
  dup: boolean
  retain: boolean
  topic: string
  payload: string | Buffer
  properties?: {
    payloadFormatIndicator?: boolean,
    messageExpiryInterval?: number,
    topicAlias?: number,
    responseTopic?: string,
    correlationData?: Buffer,
    userProperties?: UserProperties,
    subscriptionIdentifier?: number | number[],
    contentType?: string
  }
}

export interface IConnackPacket extends IPacket {
  cmd: 'connack'
  returnCode?: number,
  reasonCode?: number,
  sessionPresent: boolean
  properties?: {
    sessionExpiryInterval?: number,
    receiveMaximum?: number,
    maximumQoS?: number,
    retainAvailable?: boolean,
    maximumPacketSize?: number,
    assignedClientIdentifier?: string,
    topicAliasMaximum?: number,
    reasonString?: string,
    userProperties?: UserProperties,
    wildcardSubscriptionAvailable?: boolean,
    subscriptionIdentifiersAvailable?: boolean,
    sharedSubscriptionAvailable?: boolean,
    serverKeepAlive?: number,
    responseInformation?: string,
    serverReference?: string,
    authenticationMethod?: string,
    authenticationData?: Buffer
  }
}

export interface ISubscription {
  topic: string
  qos: QoS,
  nl?: boolean,
  rap?: boolean,
  rh?: number
}

export interface ISubscribePacket extends IPacket {
  cmd: 'subscribe'
  subscriptions: ISubscription[],
  properties?: {
    reasonString?: string,
    subscriptionIdentifier?: number,
    userProperties?: UserProperties
  }
}

export interface ISubackPacket extends IPacket {
  cmd: 'suback',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  },
  granted: number[] | Object[]
}

export interface IUnsubscribePacket extends IPacket {
  cmd: 'unsubscribe',
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  },
  unsubscriptions: string[]
}

export interface IUnsubackPacket extends IPacket {
  cmd: 'unsuback',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  },
  granted: number[]
}

export interface IPubackPacket extends IPacket {
  cmd: 'puback',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  }
}

export interface IPubcompPacket extends IPacket {
  cmd: 'pubcomp',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  }
}

export interface IPubrelPacket extends IPacket {
  cmd: 'pubrel',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  }
}

export interface IPubrecPacket extends IPacket {
  cmd: 'pubrec',
  reasonCode?: number,
  properties?: {
    reasonString?: string,
    userProperties?: UserProperties
  }
}

export interface IPingreqPacket extends IPacket {
  cmd: 'pingreq'
}

export interface IPingrespPacket extends IPacket {
  cmd: 'pingresp'
}

export interface IDisconnectPacket extends IPacket {
  cmd: 'disconnect',
  reasonCode?: number,
  properties?: {
    sessionExpiryInterval?: number,
    reasonString?: string,
    userProperties?: UserProperties,
    serverReference?: string
  }
}

export declare type Packet = IConnectPacket |
  IPublishPacket |
  IConnackPacket |
  ISubscribePacket |
  ISubackPacket |
  IUnsubscribePacket |
  IUnsubackPacket |
  IPubackPacket |
  IPubcompPacket |
  IPubrelPacket |
  IPingreqPacket |
  IPingrespPacket |
  IDisconnectPacket |
  IPubrecPacket |
  IAuthPacket

/** Options of parser() / router() / parseAsync(). Only these fields are read (the object may be large or circular). */
export interface ParserOptions {
  /** 3 (MQTT 3.1), 4 (3.1.1) or 5. Unknown: parsed as 3.1.1 until a CONNECT is seen. */
  protocolVersion?: 3 | 4 | 5 | number
  /** Bridge mode (subscriptions get rh/rap/nl before 5.0). */
  bridgeMode?: boolean
  /**
   * mqttwire: `true` (default): strict by the MQTT specification. `false`: mqtt-packet's
   * leniency — packet identifier 0, wildcards in PUBLISH / will topics, an empty topic,
   * invalid or no topic filters, SUBACK without return codes, No Local on a shared
   * subscription, U+0000 in strings, a password without a user name, a protocol name
   * that does not match the level, undefined CONNACK codes, a 5.0 CONNACK without
   * reason code or properties, and v5 properties that are repeated, out of range or
   * not allowed in the packet are accepted (docs/strictness.md). Framing, lengths,
   * UTF-8 well-formedness, reserved bits and the acks' reason codes are checked in
   * both modes. Undefined: `defaults.strict` (env MQTTWIRE_STRICT=0 makes it false).
   */
  strict?: boolean
  /** mqttwire: the largest whole packet accepted, checked from the fixed header. 0: no limit; undefined: `defaults.maxPacketSize`. */
  maxPacketSize?: number
  /**
   * Accepted and ignored: Rust frames every read. Any value other than 'native' (or
   * undefined) is a TypeError.
   */
  framer?: 'native'
  [key: string]: any
}

/** Errors emitted by the parser: mqtt-packet's message plus mqttwire's fields. */
export interface MqttwireError extends Error {
  /** e.g. 'MQTTWIRE_TRUNCATED', 'MQTTWIRE_INVALID_UTF8' */
  code: string
  /** the specification rule broken, e.g. 'MQTT-1.5.4-1' */
  rule: string
  /** offset of the offending byte in the buffer that was framed */
  offset: number
}

/** The parser (mqtt-packet's `Parser` interface, as a class). */
export declare class Parser extends EventEmitter {
  on(event: 'packet', callback: (packet: Packet) => void): this
  on(event: 'error', callback: (error: any) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this

  constructor(opts?: ParserOptions)
  static parser(opts?: ParserOptions): Parser
  parser(opts?: ParserOptions): this
  /** The options object, replaced by the CONNECT packet once one is parsed. */
  settings: any
  /** The last error, until the next parse() call. */
  error: MqttwireError | null
  /**
   * mqtt-packet's packet under construction (read by Aedes 2 after parse()): the fixed-header
   * fields of a packet whose body has not arrived, `length` its Remaining Length (-1 while the
   * fixed header is incomplete); after an error, the header of the packet it is in; otherwise
   * `cmd: null`, `length: -1`. Read-only, computed when read.
   */
  readonly packet: {
    cmd: PacketCmd | 'reserved' | null
    retain: boolean
    qos: number
    dup: boolean
    length: number
    topic: null
    payload: null
  }
  /**
   * Parses a chunk; 'packet' events are emitted synchronously. Returns the bytes buffered.
   * Like mqtt-packet, also takes any ArrayBuffer view or an ArrayBuffer (parsed in place:
   * payloads are Buffer views of its memory), a string (its UTF-8 bytes), or null /
   * undefined (nothing to parse); anything else throws a TypeError.
   */
  parse(buffer: Buffer | ArrayBufferView | ArrayBuffer | string | null | undefined, opts?: Object): number
}

export declare function parser(opts?: ParserOptions | Object): Parser

/**
 * Encodes `packet` into one Buffer, or throws mqtt-packet's error for it. A packet under
 * 16 KiB is a view of a block shared with the packets encoded before and after it (64 KiB
 * for packets under 512 B, 128 KiB above): while one of them is kept, its block is. To keep
 * one long, keep a copy (`Buffer.from(buf)`).
 */
export declare function generate(packet: Packet, opts?: Object): Buffer

/**
 * Encodes `object` and writes it to `stream`: one write() per packet, or two for a PUBLISH
 * whose Buffer payload has 512 bytes or more (the head, then the payload itself, not copied,
 * as mqtt-packet writes payloads). A stream with cork() is corked until the next tick.
 * Returns the last write()'s result; an invalid packet destroys the stream with mqtt-packet's
 * error and returns false.
 */
export declare function writeToStream(object: Packet, stream: WritableStream, opts?: Object): boolean

export declare namespace writeToStream {
  let cacheNumbers: boolean
}

/**
 * The v5 PUBLISH properties the router delivers: one object per packet with every PUBLISH
 * property as a field, undefined when the packet does not carry it. `userProperties` is
 * built on first access (then kept), from the chunk (or the parse() call's string of its
 * ASCII strings): the chunk must not be modified while the properties are in use (as for
 * the payload view), and until then the object keeps the chunk alive, so to store
 * properties long after the payload is gone, store toObject(). mqttwire's generate() and
 * writeToStream() take it as a packet's `properties`. `userProperties` is an accessor, not
 * an own field: code that copies or walks own fields (spread, Object.assign,
 * structuredClone, the real mqtt-packet's encoder) does not see it; give such code
 * toObject(). With `strict: false`, a property PUBLISH may not carry appears as an extra
 * field.
 */
export declare class PublishProperties {
  payloadFormatIndicator: boolean | undefined
  messageExpiryInterval: number | undefined
  contentType: string | undefined
  responseTopic: string | undefined
  correlationData: Buffer | undefined
  subscriptionIdentifier: number | number[] | undefined
  topicAlias: number | undefined
  /** Decoded on first access; assign to replace (e.g. before forwarding). */
  userProperties: UserProperties | undefined
  /** The plain object mqtt-packet's parser makes of the same properties (present ones only). */
  toObject(): NonNullable<IPublishPacket['properties']>
  toJSON(): NonNullable<IPublishPacket['properties']>
  private constructor()
}

/**
 * Called for each PUBLISH, synchronously inside Router#parse(), with `this` the router.
 * @param topic the topic name
 * @param payload a zero-copy view of the chunk
 * @param qos 0, 1 or 2
 * @param messageId the packet identifier, 0 for QoS 0
 * @param retain the RETAIN flag
 * @param dup the DUP flag
 * @param properties the v5 properties (a PublishProperties), or undefined when the packet has none
 */
export type OnPublish = (this: Router, topic: string, payload: Buffer, qos: QoS, messageId: number,
  retain: boolean, dup: boolean, properties: PublishProperties | undefined) => void

/** Called with the full mqtt-packet object of every other packet. */
export type OnOther = (this: Router, packet: Exclude<Packet, IPublishPacket>) => void

/**
 * The routing API: like Parser, but PUBLISH packets are delivered as positional
 * arguments without building an object. Emits 'error' like Parser.
 */
export declare class Router extends EventEmitter {
  constructor(opts: ParserOptions | undefined, onPublish: OnPublish, onOther?: OnOther)
  settings: any
  error: MqttwireError | null
  on(event: 'error', callback: (error: MqttwireError) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  /** Parses a chunk; returns the bytes buffered. Takes what Parser#parse takes. */
  parse(buffer: Buffer | ArrayBufferView | ArrayBuffer | string | null | undefined): number
}

export declare function router(opts: ParserOptions | undefined, onPublish: OnPublish, onOther?: OnOther): Router

/** Error of parseAsync: the parse error, or code 'MQTTWIRE_INCOMPLETE' when the buffer ends inside a packet. */
export interface ParseAsyncError extends MqttwireError {
  /** the packets before the error */
  packets: Packet[]
}

/**
 * Frames `buffer` (whole packets) on the libuv thread pool and resolves with its packets.
 * Rejects with a ParseAsyncError on a malformed or incomplete buffer.
 */
export declare function parseAsync(buffer: Buffer | ArrayBufferView | ArrayBuffer, opts?: ParserOptions): Promise<Packet[]>

/** mqtt-packet-compatible message of a tape error code and parameter. */
export declare function errorMessage(code: number, param: number): string

/**
 * Process-wide defaults for the options a parser(), router() or parseAsync() call does
 * not give (read at construction / call time), so that callers that pass no options
 * (Aedes: `mqtt.parser()`) can be configured without code changes. Assignments are
 * validated (TypeError / RangeError).
 */
export interface MqttwireDefaults {
  /** Default `strict`: true, or false when the environment had MQTTWIRE_STRICT=0 (also false/no/off) when mqttwire loaded. */
  strict: boolean
  /** Default `maxPacketSize`: 0 (no limit). */
  maxPacketSize: number
}

export declare const defaults: MqttwireDefaults

/** Whether the native binding was loaded. */
export declare const hasNative: boolean

export declare const implementation: 'mqttwire'
