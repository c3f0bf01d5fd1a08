//! `loadgen`: a notification-engine load generator on mqttwire's tokio codec.
//!
//! It opens N user connections (MQTT 3.1.1 or 5.0, over TCP or WebSocket),
//! each a persistent session subscribed to `user/<id>/notifications` and to a
//! broadcast topic; then publishers send timestamped QoS 1 notifications at a
//! set rate to random users, plus a broadcast every few seconds. At the end it
//! prints one JSON line: connections held, connect rate, latency p50/p99/max
//! (HDR histogram), messages published, delivered, duplicated and lost (by
//! id), its own CPU and, given `--broker-pid`, the broker's CPU and RSS.
//!
//! It only connects to loopback addresses (127.0.0.0/8, ::1), and it stops by
//! itself: after `--max-time` seconds whatever the state. SIGINT during the
//! publishing phase ends it early; the drain and the report follow.
//!
//! ```text
//! loadgen --targets 127.0.0.1:1883 -n 2000 --rate 1000 --duration 20
//! ```
#![deny(missing_docs)]

mod client;
mod stats;

use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use mqttwire::{QoS, Version};
use tokio::sync::{mpsc, watch, Semaphore};

use client::{PubPlan, Setup, Transport};
use stats::{cpu_seconds, rss_kib, Json, Stats};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "MQTT notification load generator (mqttwire codec): N persistent-session users, QoS 1 notifications, latency and loss by id; loopback targets only"
)]
struct Args {
    /// Broker addresses (comma-separated). User i connects to the (i mod n)-th
    /// and, with --reconnect, moves to the next one when its connection is lost.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:1883")]
    targets: Vec<SocketAddr>,
    /// Where publishers connect (default: the targets).
    #[arg(long, value_delimiter = ',')]
    pub_targets: Vec<SocketAddr>,
    /// Name printed as "target" in the JSON line.
    #[arg(long, default_value = "broker")]
    label: String,
    /// Transport.
    #[arg(long, value_enum, default_value = "tcp")]
    transport: Transport,
    /// WebSocket path.
    #[arg(long, default_value = "/mqtt")]
    ws_path: String,
    /// Number of user connections.
    #[arg(short = 'n', long, default_value_t = 1000)]
    connections: usize,
    /// MQTT protocol level: 4 (3.1.1) or 5.
    #[arg(long, default_value_t = 4)]
    mqtt: u8,
    /// QoS of notifications and subscriptions (0, 1 or 2 is refused: 0 or 1).
    #[arg(long, default_value_t = 1)]
    qos: u8,
    /// Direct notifications a second (all publishers together).
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Publisher connections sharing the rate.
    #[arg(long, default_value_t = 1)]
    publishers: usize,
    /// Seconds between broadcasts to every user (0: none).
    #[arg(long, default_value_t = 5.0)]
    broadcast_every: f64,
    /// Broadcast topic.
    #[arg(long, default_value = "broadcast/all")]
    broadcast_topic: String,
    /// Seconds of publishing.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds to wait after publishing for outstanding deliveries.
    #[arg(long, default_value_t = 10.0)]
    drain: f64,
    /// Seconds allowed for all users to connect and subscribe.
    #[arg(long, default_value_t = 120.0)]
    connect_phase: f64,
    /// Hard limit on the whole run in seconds.
    #[arg(long, default_value_t = 300.0)]
    max_time: f64,
    /// Keep alive in seconds (a PINGREQ each interval).
    #[arg(long, default_value_t = 60)]
    keep_alive: u16,
    /// New connections a second (0: as fast as --connect-concurrency allows).
    #[arg(long, default_value_t = 0.0)]
    connect_rate: f64,
    /// Connections being set up at once.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Seconds one connection may take to connect and subscribe.
    #[arg(long, default_value_t = 30.0)]
    connect_timeout: f64,
    /// Connections per loopback source address: 127.0.0.2 for the first
    /// batch, 127.0.0.3 for the next... (0: let the kernel pick 127.0.0.1).
    #[arg(long, default_value_t = 25_000)]
    per_source: usize,
    /// Payload bytes (at least 21: id, timestamp, user, kind).
    #[arg(long, default_value_t = 32)]
    payload: usize,
    /// Client id prefix (users are <prefix><i>, publishers <prefix>pub<k>).
    #[arg(long, default_value = "lg-")]
    prefix: String,
    /// Reconnect lost connections (to the next target) and resume the session.
    #[arg(long)]
    reconnect: bool,
    /// Broker process id: its CPU and RSS are reported next to ours.
    #[arg(long)]
    broker_pid: Option<u32>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// No progress lines on stderr.
    #[arg(long)]
    quiet: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = check(&args) {
        eprintln!("loadgen: {e}");
        std::process::exit(2);
    }
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if args.threads > 0 {
        rt.worker_threads(args.threads);
    }
    let rt = rt.build().expect("tokio runtime");
    let max = Duration::from_secs_f64(args.max_time);
    // A hard stop that holds even if the runtime is wedged.
    std::thread::spawn(move || {
        std::thread::sleep(max + Duration::from_secs(15));
        eprintln!("loadgen: still running 15 s after --max-time, exiting");
        std::process::exit(3);
    });
    let line = rt.block_on(run(args));
    println!("{line}");
    rt.shutdown_timeout(Duration::from_secs(2));
}

fn check(a: &Args) -> Result<(), String> {
    for t in a.targets.iter().chain(&a.pub_targets) {
        if !t.ip().is_loopback() {
            return Err(format!(
                "{t} is not a loopback address: loadgen only sends to 127.0.0.0/8 and ::1"
            ));
        }
    }
    if a.targets.is_empty() {
        return Err("--targets is empty".into());
    }
    if a.mqtt != 4 && a.mqtt != 5 {
        return Err(format!("--mqtt must be 4 or 5, got {}", a.mqtt));
    }
    if a.qos > 1 {
        return Err(format!("--qos must be 0 or 1, got {}", a.qos));
    }
    if a.connections == 0 || a.publishers == 0 || a.connect_concurrency == 0 {
        return Err(
            "--connections, --publishers and --connect-concurrency must be positive".into(),
        );
    }
    if !(a.rate >= 0.0 && a.duration >= 0.0 && a.drain >= 0.0 && a.max_time > 0.0) {
        return Err("--rate, --duration, --drain must be >= 0 and --max-time > 0".into());
    }
    if a.connections > 25_000 && a.per_source == 0 && a.targets.iter().any(|t| t.is_ipv4()) {
        eprintln!("loadgen: warning: over 25,000 connections from one source address may run out of ports; see --per-source");
    }
    Ok(())
}

async fn run(a: Args) -> String {
    let t0 = Instant::now();
    let hard = t0 + Duration::from_secs_f64(a.max_time);
    let left = |deadline: Instant| deadline.min(hard).saturating_duration_since(Instant::now());
    let capacity = ((a.rate * a.duration * 1.1) as usize + 1000).min(200_000_000);
    let stats = Arc::new(Stats::new(capacity));
    let setup = Arc::new(Setup {
        pub_targets: if a.pub_targets.is_empty() {
            a.targets.clone()
        } else {
            a.pub_targets.clone()
        },
        targets: a.targets.clone(),
        transport: a.transport,
        ws_path: a.ws_path.clone(),
        version: if a.mqtt == 5 {
            Version::V5
        } else {
            Version::V3_1_1
        },
        keep_alive: a.keep_alive,
        prefix: a.prefix.clone(),
        users: a.connections,
        broadcast_topic: a.broadcast_topic.clone(),
        per_source: a.per_source,
        reconnect: a.reconnect,
        connect_timeout: Duration::from_secs_f64(a.connect_timeout),
        payload: a.payload,
        qos: if a.qos == 0 {
            QoS::AtMostOnce
        } else {
            QoS::AtLeastOnce
        },
    });
    let broker = a.broker_pid.map(|p| p.to_string());
    let broker_cpu = || broker.as_deref().and_then(cpu_seconds);
    let broker_rss = || broker.as_deref().and_then(rss_kib);
    let me = "self";
    let rss_before = broker_rss();
    let (stop_tx, stop_rx) = watch::channel(false);
    let progress = |what: &str| {
        if !a.quiet {
            eprintln!(
                "[loadgen {:>6.1}s] {what}: connected {} subscribed {} failed {} published {} delivered {} dup {} reconnects {}",
                t0.elapsed().as_secs_f64(),
                stats.connected.load(Relaxed),
                stats.subscribed.load(Relaxed),
                stats.failed.load(Relaxed),
                stats.published.load(Relaxed),
                stats.delivered.load(Relaxed),
                stats.duplicated.load(Relaxed),
                stats.reconnects.load(Relaxed),
            );
        }
    };

    // Phase 1: connect and subscribe every user.
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<bool>();
    let connect_deadline = t0 + Duration::from_secs_f64(a.connect_phase);
    let spawner = {
        let setup = setup.clone();
        let stats = stats.clone();
        let stop_rx = stop_rx.clone();
        let n = a.connections;
        let rate = a.connect_rate;
        let sem = Arc::new(Semaphore::new(a.connect_concurrency));
        tokio::spawn(async move {
            let start = Instant::now();
            let mut tasks = Vec::with_capacity(n);
            for i in 0..n {
                if *stop_rx.borrow() {
                    break;
                }
                if rate > 0.0 {
                    let at = start + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(at.into()).await;
                }
                let permit = sem.clone().acquire_owned().await.expect("semaphore open");
                let (setup, stats, stop, tx) = (
                    setup.clone(),
                    stats.clone(),
                    stop_rx.clone(),
                    ready_tx.clone(),
                );
                // The permit is released when the user is subscribed (or failed).
                let (gate_tx, mut gate_rx) = mpsc::unbounded_channel::<bool>();
                tokio::spawn(async move {
                    let ok = gate_rx.recv().await.unwrap_or(false);
                    drop(permit);
                    let _ = tx.send(ok);
                });
                tasks.push(tokio::spawn(client::run_user(
                    setup, stats, i, stop, gate_tx,
                )));
            }
            tasks
        })
    };
    let (mut ok, mut bad) = (0usize, 0usize);
    let mut last = Instant::now();
    while ok + bad < a.connections {
        match tokio::time::timeout(
            left(connect_deadline).min(Duration::from_secs(2)),
            ready_rx.recv(),
        )
        .await
        {
            Ok(Some(true)) => ok += 1,
            Ok(Some(false)) => bad += 1,
            Ok(None) => break,
            Err(_) => {
                if left(connect_deadline).is_zero() {
                    break;
                }
            }
        }
        if last.elapsed() >= Duration::from_secs(2) {
            last = Instant::now();
            progress("connecting");
        }
    }
    let connect_s = t0.elapsed().as_secs_f64();
    progress("connected");
    // Let the broker settle its per-connection allocations before reading RSS.
    tokio::time::sleep(Duration::from_millis(500).min(left(hard))).await;
    let rss_after = broker_rss();
    let held = stats.connected.load(Relaxed);

    // Phase 2: publish for --duration seconds, then drain.
    let cpu0 = (cpu_seconds(me), broker_cpu(), Instant::now());
    let until = Instant::now() + Duration::from_secs_f64(a.duration).min(left(hard));
    let mut pubs = Vec::new();
    if ok > 0 {
        for k in 0..a.publishers {
            let plan = PubPlan {
                index: k,
                rate: a.rate / a.publishers as f64,
                broadcast_every: if k == 0 { a.broadcast_every } else { 0.0 },
                until,
            };
            pubs.push(tokio::spawn(client::run_publisher(
                setup.clone(),
                stats.clone(),
                plan,
                stop_rx.clone(),
            )));
        }
        let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
        while Instant::now() < until {
            let nap = Duration::from_secs(2).min(until.saturating_duration_since(Instant::now()));
            tokio::select! {
                _ = tokio::time::sleep(nap) => progress("publishing"),
                _ = &mut interrupt => {
                    stats.stop_publishing.store(true, Relaxed);
                    progress("SIGINT, publishing ends");
                    break;
                }
            }
        }
        let drain_until = Instant::now() + Duration::from_secs_f64(a.drain);
        let subscribed = stats.subscribed.load(Relaxed) as u64;
        loop {
            let published = stats.published.load(Relaxed);
            let done = stats.publishers_done.load(Relaxed) >= a.publishers
                && stats.delivered.load(Relaxed) >= published
                && stats.bcast_delivered.load(Relaxed)
                    >= stats.broadcasts.load(Relaxed) * subscribed;
            if done || left(drain_until).is_zero() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            if last.elapsed() >= Duration::from_secs(2) {
                last = Instant::now();
                progress("draining");
            }
        }
    }
    let window = cpu0.2.elapsed().as_secs_f64();
    let cpu1 = (cpu_seconds(me), broker_cpu());
    progress("stopping");

    // Phase 3: disconnect everyone (bounded).
    let _ = stop_tx.send(true);
    let tasks = tokio::time::timeout(Duration::from_secs(5), spawner)
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or_default();
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        for t in tasks.into_iter().chain(pubs) {
            let _ = t.await;
        }
    })
    .await;

    let published = stats.published.load(Relaxed);
    let delivered = stats.delivered.load(Relaxed);
    let lost = stats.lost();
    let subscribed = stats.subscribed.load(Relaxed) as u64;
    let broadcasts = stats.broadcasts.load(Relaxed);
    let bexp = broadcasts * subscribed;
    let bdel = stats.bcast_delivered.load(Relaxed);
    let [p50, p99, p999, max] = stats.direct_quantiles();
    let [bp50, bp99, _, bmax] = stats.broadcast_quantiles();
    let pct = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if window > 0.0 => Some((b - a) / window * 100.0),
        _ => None,
    };
    let broker_cpu_s = match (cpu0.1, cpu1.1) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let msgs = delivered + bdel;
    let mut j = Json::default();
    j.str("target", &a.label)
        .str(
            "transport",
            match a.transport {
                Transport::Tcp => "tcp",
                Transport::Ws => "ws",
            },
        )
        .int("mqtt", a.mqtt as u64)
        .int("requested", a.connections as u64)
        .int("connections", held as u64)
        .int("subscribed", subscribed)
        .int("failed", bad as u64)
        .num("connect_s", connect_s)
        .num(
            "connect_rate",
            if connect_s > 0.0 {
                ok as f64 / connect_s
            } else {
                0.0
            },
        )
        .num("rate", a.rate)
        .num("duration_s", a.duration)
        .int("published", published)
        .int("acked", stats.acked.load(Relaxed))
        .int("throttled", stats.throttled.load(Relaxed))
        .int("delivered", delivered)
        .int("duplicated", stats.duplicated.load(Relaxed))
        .int("lost", lost)
        .int("misrouted", stats.misrouted.load(Relaxed))
        .num("p50_ms", p50)
        .num("p99_ms", p99)
        .num("p999_ms", p999)
        .num("max_ms", max)
        .int("broadcasts", broadcasts)
        .int("broadcast_expected", bexp)
        .int("broadcast_delivered", bdel)
        .int("broadcast_duplicated", stats.bcast_duplicated.load(Relaxed))
        .int("broadcast_lost", bexp.saturating_sub(bdel))
        .num("broadcast_p50_ms", bp50)
        .num("broadcast_p99_ms", bp99)
        .num("broadcast_max_ms", bmax)
        .int("foreign", stats.foreign.load(Relaxed))
        .int("dropped", stats.dropped.load(Relaxed) as u64)
        .int("reconnects", stats.reconnects.load(Relaxed) as u64)
        .int(
            "publish_before_connack",
            stats.before_connack.load(Relaxed) as u64,
        )
        .int("connect_errors", stats.connect_errors.load(Relaxed) as u64)
        .opt("client_cpu_pct", pct(cpu0.0, cpu1.0))
        .opt("broker_cpu_pct", pct(cpu0.1, cpu1.1))
        .opt(
            "broker_cpu_us_per_msg",
            broker_cpu_s
                .filter(|_| msgs > 0)
                .map(|s| s * 1e6 / msgs as f64),
        )
        .opt("broker_rss_mb", rss_after.map(|k| k as f64 / 1024.0))
        .opt(
            "rss_per_conn_kb",
            match (rss_before, rss_after) {
                (Some(b), Some(a)) if held > 0 => Some((a as f64 - b as f64) / held as f64),
                _ => None,
            },
        )
        .num("elapsed_s", t0.elapsed().as_secs_f64());
    if lost > 0 {
        let ids: Vec<String> = stats
            .lost_sample(10)
            .iter()
            .map(|i| i.to_string())
            .collect();
        j.str("lost_ids_sample", &ids.join(","));
    }
    if let Some(e) = stats
        .first_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_deref()
    {
        j.str("first_error", e);
    }
    j.finish()
}
