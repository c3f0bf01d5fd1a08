//! MQTT 5 PUBLISH with properties (the Node benchmark's w2 shape): `tape::frame`
//! (with the string arena, as the Node binding calls it, and without) and the
//! `parse` loop over 100 packets (cache-resident), ns per packet.
//!
//!     cargo run --release --example bench_v5 [-- ITERATIONS]
//!
//! Each packet: topic 20–30 B, QoS 0/1, message expiry; 70 % a content type,
//! 50 % a user property; payloads 64–255 B. A development measurement (no
//! baseline crate here): it shows what the PUBLISH property fast path costs.

use std::hint::black_box;
use std::time::Instant;

use mqttwire::{tape, Packet, Properties, Property, Publish, QoS, Status, Version};

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let mut stream = Vec::new();
    for i in 0..100u32 {
        let topic = format!("site/abc{:06}/dev/temp{}", i * 7919 % 1_000_000, i % 10);
        let trace = format!("tr-{}", i * 31);
        let mut props = vec![Property::MessageExpiryInterval(60 + i)];
        if i % 10 < 7 {
            let ct = if i % 2 == 0 {
                "application/json"
            } else {
                "text/plain; charset=utf-8"
            };
            props.push(Property::ContentType(ct));
        }
        if i % 2 == 0 {
            props.push(Property::UserProperty("trace", &trace));
        }
        let payload = vec![0x5au8; 64 + (i as usize * 37) % 192];
        let qos1 = i % 2 == 1;
        let packet = Packet::Publish(Publish {
            dup: false,
            qos: if qos1 {
                QoS::AtLeastOnce
            } else {
                QoS::AtMostOnce
            },
            retain: false,
            topic: &topic,
            packet_id: qos1.then_some(i as u16 + 1),
            properties: Properties::from_list(&props),
            payload: &payload,
        });
        packet.encode(Version::V5, &mut stream).expect("encodes");
    }
    let mut t = vec![0u32; 1 << 14];
    // `iters` calls over the 100 packets: ns per packet.
    let mut tape_ns = |run: fn(&[u8], &mut [u32]) -> u64| {
        let t0 = Instant::now();
        let mut n = 0u64;
        for _ in 0..iters {
            n += run(black_box(&stream), &mut t);
        }
        assert_eq!(n, 100 * iters as u64);
        t0.elapsed().as_nanos() as f64 / n as f64
    };
    for round in 0..3 {
        // ARENA: how the Node binding frames a chunk of 4 KiB or more.
        let arena_ns = tape_ns(frame::<true>);
        let plain_ns = tape_ns(frame::<false>);
        let t0 = Instant::now();
        let mut m = 0u64;
        for _ in 0..iters {
            let mut pos = 0;
            while let Ok(Status::Complete((_, used))) =
                mqttwire::parse(black_box(&stream[pos..]), Version::V5)
            {
                pos += used;
                m += 1;
            }
        }
        let parse_ns = t0.elapsed().as_nanos() as f64 / m as f64;
        println!(
            "round {round}: tape::frame ARENA {arena_ns:.1}, no arena {plain_ns:.1}, parse {parse_ns:.1} ns/packet"
        );
    }
}

/// One `tape::frame` call over the whole stream (a function per configuration,
/// so that a profile tells them apart); returns the records written.
#[inline(never)]
fn frame<const ARENA: bool>(stream: &[u8], t: &mut [u32]) -> u64 {
    let config = Version::V5.level() as u32 | if ARENA { tape::ARENA } else { 0 };
    tape::frame(stream, 0, stream.len(), config, 0, t);
    t[5] as u64
}
