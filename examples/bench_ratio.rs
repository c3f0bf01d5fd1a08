//! One-run comparison of mqttwire against rumqtt's `mqttbytes` 0.6 on the
//! seeded PUBLISH stream of `benches/common` (10,000 MQTT 3.1.1 PUBLISH, QoS
//! 0/1, topics 20–30 B, payloads 95% 64–256 B / 5% 2–4 KiB).
//!
//!     cargo run --release --example bench_ratio [-- ROUNDS [PACKETS]]
//!
//! (PACKETS defaults to 10,000, about 3.4 MB: more than a 1 MiB L2. Try 1000
//! to see the codecs with the stream cache-resident.)
//!
//! Every round runs each consumer once over the same bytes, in turn (so drift
//! hits all of them alike); consumers that take a `BytesMut` get a fresh copy
//! made outside the timed region. The table gives the median ns/packet over
//! the rounds, MB/s and the speed-up over mqttbytes.

use std::hint::black_box;
use std::time::Instant;

use bytes::BytesMut;

#[path = "../benches/common/mod.rs"]
mod common;
use common::*;

struct Row {
    name: &'static str,
    note: &'static str,
    ns: Vec<f64>,
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(STREAM_PACKETS);
    let buf = publish_stream(n, SEED);
    let mut tape = vec![0u32; tape_words(n)];
    let mut arena_tape = vec![0u32; tape_words_arena(n)];

    let mut rows = [
        Row {
            name: "mqttbytes v4::read",
            note: "baseline: owned String topic, Bytes payload",
            ns: vec![],
        },
        Row {
            name: "mqttwire parse loop",
            note: "parse() over &[u8], borrowed view",
            ns: vec![],
        },
        Row {
            name: "mqttwire stream::Decoder",
            note: "frames (Bytes) from a BytesMut",
            ns: vec![],
        },
        Row {
            name: "mqttwire Decoder + packet()",
            note: "frame, then borrowed view",
            ns: vec![],
        },
        Row {
            name: "mqttwire Decoder::decode_slice",
            note: "borrowed views from a slice",
            ns: vec![],
        },
        Row {
            name: "mqttwire tape::frame",
            note: "whole buffer, one call",
            ns: vec![],
        },
        Row {
            name: "mqttwire tape::frame 64K",
            note: "64 KiB chunks, as from a socket",
            ns: vec![],
        },
        Row {
            name: "mqttwire tape::frame ARENA",
            note: "whole buffer, strings to the arena",
            ns: vec![],
        },
        Row {
            name: "mqttwire tape::frame 64K ARENA",
            note: "64 KiB chunks + arena, as Node calls it",
            ns: vec![],
        },
        Row {
            name: "(floor) bare framing",
            note: "header + simdutf8 topic only",
            ns: vec![],
        },
    ];

    // Everyone must see every packet.
    assert_eq!(run_mqttbytes(BytesMut::from(&buf[..])).0, n);
    assert_eq!(run_parse(&buf).0, n);
    assert_eq!(run_decoder(BytesMut::from(&buf[..])).0, n);
    assert_eq!(run_decoder_packet(BytesMut::from(&buf[..])).0, n);
    assert_eq!(run_decoder_slice(&buf).0, n);
    assert_eq!(run_tape::<false>(&buf, &mut tape).0, n);
    assert_eq!(run_tape_chunked::<false>(&buf, &mut tape, 64 * 1024).0, n);
    assert_eq!(run_tape::<true>(&buf, &mut arena_tape).0, n);
    assert_eq!(run_tape_chunked::<true>(&buf, &mut tape, 64 * 1024).0, n);
    assert_eq!(run_bare_framing(&buf).0, n);

    let warmup = (rounds / 10).max(3);
    for r in 0..warmup + rounds {
        for (i, row) in rows.iter_mut().enumerate() {
            let src = BytesMut::from(&buf[..]);
            let t = Instant::now();
            let out = match i {
                0 => run_mqttbytes(src),
                1 => run_parse(black_box(&buf)),
                2 => run_decoder(src),
                3 => run_decoder_packet(src),
                4 => run_decoder_slice(black_box(&buf)),
                5 => run_tape::<false>(black_box(&buf), &mut tape),
                6 => run_tape_chunked::<false>(black_box(&buf), &mut tape, 64 * 1024),
                7 => run_tape::<true>(black_box(&buf), &mut arena_tape),
                8 => run_tape_chunked::<true>(black_box(&buf), &mut tape, 64 * 1024),
                _ => run_bare_framing(black_box(&buf)),
            };
            let dt = t.elapsed();
            black_box(out);
            if r >= warmup {
                row.ns.push(dt.as_nanos() as f64 / n as f64);
            }
        }
    }

    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let meds: Vec<f64> = rows.iter_mut().map(|r| median(&mut r.ns)).collect();
    let base = meds[0];
    let avg = buf.len() as f64 / n as f64;
    println!(
        "PUBLISH stream: {n} packets, {} bytes ({avg:.0} B/packet avg), {rounds} rounds, median",
        buf.len()
    );
    println!(
        "{:<30} {:>10} {:>10} {:>10} {:>9}  what",
        "consumer", "ns/packet", "Mpkt/s", "MB/s", "vs mqttb"
    );
    for (row, ns) in rows.iter().zip(&meds) {
        println!(
            "{:<30} {:>10.1} {:>10.2} {:>10.0} {:>8.2}x  {}",
            row.name,
            ns,
            1e3 / ns,
            avg * 1e3 / ns,
            base / ns,
            row.note
        );
    }
}
