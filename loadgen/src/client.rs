//! One MQTT connection over TCP or WebSocket, framed by mqttwire's
//! [`MqttCodec`], and the two roles that use it: a user and a publisher.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_util::{SinkExt as _, StreamExt as _};
use mqttwire::codec::{CodecError, MqttCodec};
use mqttwire::stream::Frame;
use mqttwire::{
    Ack, Connect, Disconnect, Filters, Packet, Properties, Property, Publish, QoS, Subscribe,
    SubscriptionOptions, Version,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::codec::{Decoder as _, Encoder as _};

use crate::stats::{self, Stats, KIND_BROADCAST, KIND_DIRECT};

/// How a connection reaches the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// MQTT over TCP.
    Tcp,
    /// MQTT over WebSocket (subprotocol `mqtt`, binary frames).
    Ws,
}

/// What every connection needs to know.
pub struct Setup {
    /// Where user `i` connects first: `targets[i % len]`; reconnections move on.
    pub targets: Vec<SocketAddr>,
    /// Where publisher `k` connects: `pub_targets[k % len]`.
    pub pub_targets: Vec<SocketAddr>,
    /// TCP or WebSocket.
    pub transport: Transport,
    /// WebSocket path.
    pub ws_path: String,
    /// MQTT 3.1.1 or 5.0.
    pub version: Version,
    /// Keep alive in seconds (PINGREQ at this interval).
    pub keep_alive: u16,
    /// Client id prefix.
    pub prefix: String,
    /// Number of users.
    pub users: usize,
    /// Topic every user subscribes to besides its own.
    pub broadcast_topic: String,
    /// Connections per loopback source address (127.0.0.2, 127.0.0.3, ...).
    pub per_source: usize,
    /// Reconnect after a lost connection.
    pub reconnect: bool,
    /// Time allowed for TCP connect + handshake + CONNACK + SUBACK.
    pub connect_timeout: Duration,
    /// Payload size in bytes.
    pub payload: usize,
    /// QoS of published notifications and of the subscriptions.
    pub qos: QoS,
}

/// Why a connection ended.
#[derive(Debug)]
enum End {
    /// Asked to stop.
    Stopped,
}

/// A connection error with the phase it happened in.
#[derive(Debug)]
struct Fail(String);

impl From<CodecError> for Fail {
    fn from(e: CodecError) -> Self {
        Fail(e.to_string())
    }
}

impl From<mqttwire::DecodeError> for Fail {
    fn from(e: mqttwire::DecodeError) -> Self {
        Fail(format!("decode: {e}"))
    }
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail(format!("io: {e}"))
    }
}

impl From<tokio_tungstenite::tungstenite::Error> for Fail {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        Fail(format!("websocket: {e}"))
    }
}

enum Io {
    Tcp(TcpStream),
    Ws(Box<WebSocketStream<TcpStream>>),
}

/// One MQTT connection: the codec decodes what is read into `rbuf` and
/// encodes what is queued into `wbuf`.
struct Conn {
    io: Io,
    codec: MqttCodec,
    rbuf: BytesMut,
    wbuf: BytesMut,
    /// PUBLISHes that arrived before CONNACK.
    early: Vec<Frame>,
}

/// The loopback source address of connection `i` (v4 targets only): 127.0.0.2
/// for the first `per_source`, then 127.0.0.3, and so on.
fn source_for(target: &SocketAddr, i: usize, per_source: usize) -> Option<IpAddr> {
    match target {
        SocketAddr::V4(_) if per_source > 0 => {
            let n = 0x7f00_0002u32 + (i / per_source) as u32;
            (n < 0x7fff_ffff).then(|| IpAddr::V4(n.into()))
        }
        _ => None,
    }
}

impl Conn {
    async fn open(setup: &Setup, target: SocketAddr, source: Option<IpAddr>) -> Result<Conn, Fail> {
        let sock = if target.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(ip) = source {
            sock.bind(SocketAddr::new(ip, 0))
                .map_err(|e| Fail(format!("bind {ip}: {e}")))?;
        }
        let tcp = sock
            .connect(target)
            .await
            .map_err(|e| Fail(format!("connect {target}: {e}")))?;
        tcp.set_nodelay(true)?;
        let io = match setup.transport {
            Transport::Tcp => Io::Tcp(tcp),
            Transport::Ws => {
                let mut req = format!("ws://{target}{}", setup.ws_path).into_client_request()?;
                req.headers_mut().insert(
                    "Sec-WebSocket-Protocol",
                    "mqtt".parse().expect("valid header value"),
                );
                let (ws, _) = tokio_tungstenite::client_async(req, tcp).await?;
                Io::Ws(Box::new(ws))
            }
        };
        Ok(Conn {
            io,
            codec: MqttCodec::new(setup.version),
            rbuf: BytesMut::with_capacity(256),
            wbuf: BytesMut::new(),
            early: Vec::new(),
        })
    }

    fn queue(&mut self, p: Packet<'_>) -> Result<(), Fail> {
        self.codec.encode(p, &mut self.wbuf)?;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Fail> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        match &mut self.io {
            Io::Tcp(t) => {
                t.write_all(&self.wbuf).await?;
                self.wbuf.clear();
            }
            Io::Ws(ws) => {
                let bytes = self.wbuf.split().freeze();
                ws.send(Message::Binary(bytes)).await?;
            }
        }
        Ok(())
    }

    async fn send(&mut self, p: Packet<'_>) -> Result<(), Fail> {
        self.queue(p)?;
        self.flush().await
    }

    /// The next whole packet. Cancel-safe: bytes read stay in `rbuf`.
    async fn recv(&mut self) -> Result<Frame, Fail> {
        loop {
            if let Some(f) = self.codec.decode(&mut self.rbuf)? {
                return Ok(f);
            }
            match &mut self.io {
                Io::Tcp(t) => {
                    if self.rbuf.capacity() - self.rbuf.len() < 64 {
                        self.rbuf.reserve(4096);
                    }
                    if t.read_buf(&mut self.rbuf).await? == 0 {
                        return Err(Fail("connection closed by the broker".into()));
                    }
                }
                Io::Ws(ws) => match ws.next().await {
                    Some(Ok(Message::Binary(b))) => self.rbuf.extend_from_slice(&b),
                    Some(Ok(Message::Close(_))) | None => {
                        return Err(Fail("websocket closed by the broker".into()))
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                },
            }
        }
    }

    /// Send CONNECT and wait for a successful CONNACK; returns session present.
    async fn handshake(
        &mut self,
        setup: &Setup,
        client_id: &str,
        clean: bool,
    ) -> Result<bool, Fail> {
        // MQTT 5: clean start 0 resumes a session only if it outlives the
        // connection, so ask for one that lasts an hour.
        let expiry = [Property::SessionExpiryInterval(3600)];
        let properties = if setup.version.is_v5() && !clean {
            Properties::from_list(&expiry)
        } else {
            Properties::EMPTY
        };
        self.send(Packet::Connect(Connect {
            protocol: setup.version,
            bridge: false,
            clean_start: clean,
            keep_alive: setup.keep_alive,
            properties,
            client_id,
            will: None,
            username: None,
            password: None,
        }))
        .await?;
        loop {
            let frame = self.recv().await?;
            match frame.packet()? {
                Packet::ConnAck(a) if a.code == 0 => return Ok(a.session_present),
                Packet::ConnAck(a) => {
                    return Err(Fail(format!("CONNACK refused, code {}", a.code)))
                }
                // Some brokers (Aedes in Redis mode) may send a queued PUBLISH
                // before CONNACK [MQTT-3.2.0-1]: keep it for the session.
                Packet::Publish(_) if self.early.len() < 65_536 => self.early.push(frame),
                p => {
                    return Err(Fail(format!(
                        "expected CONNACK, got {}",
                        p.packet_type().name()
                    )))
                }
            }
        }
    }

    async fn disconnect(&mut self) {
        let _ = self
            .send(Packet::Disconnect(Disconnect {
                reason_code: None,
                properties: None,
            }))
            .await;
        if let Io::Ws(ws) = &mut self.io {
            let _ = futures_util::SinkExt::close(ws).await;
        }
    }
}

/// One user: a persistent session subscribed to `user/<id>/notifications`
/// and the broadcast topic, PUBACKing what it receives and pinging at its
/// keep alive, until `stop` turns true.
pub async fn run_user(
    setup: Arc<Setup>,
    stats: Arc<Stats>,
    id: usize,
    mut stop: watch::Receiver<bool>,
    ready: tokio::sync::mpsc::UnboundedSender<bool>,
) {
    let client_id = format!("{}{}", setup.prefix, id);
    let own = format!("user/{id}/notifications");
    let mut seen: u64 = 0;
    let mut subscribed = false;
    let mut attempt = 0usize;
    let mut ready = Some(ready);
    loop {
        if *stop.borrow() {
            return;
        }
        let target = setup.targets[(id + attempt) % setup.targets.len()];
        let source = source_for(&target, id, setup.per_source);
        let res = user_session(
            &setup,
            &stats,
            id as u32,
            target,
            source,
            &client_id,
            &own,
            &mut seen,
            &mut subscribed,
            &mut stop,
            &mut ready,
        )
        .await;
        match res {
            Ok(End::Stopped) => return,
            Err(Fail(msg)) => {
                if *stop.borrow() {
                    return;
                }
                stats.connect_error(format!("user {id} via {target}: {msg}"));
                if !setup.reconnect {
                    if let Some(r) = ready.take() {
                        stats.failed.fetch_add(1, Relaxed);
                        let _ = r.send(false);
                    }
                    return;
                }
                attempt += 1;
                stats.reconnects.fetch_add(1, Relaxed);
                // Spread reconnections over a second so they do not arrive as one burst.
                let backoff = 100 + (id as u64 * 7919 + attempt as u64 * 104_729) % 900;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(backoff)) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// Decrements the open-connection count when a session ends, however it ends.
struct Open<'a>(&'a Stats);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.connected.fetch_sub(1, Relaxed);
    }
}

#[allow(clippy::too_many_arguments)]
async fn user_session(
    setup: &Setup,
    stats: &Stats,
    user: u32,
    target: SocketAddr,
    source: Option<IpAddr>,
    client_id: &str,
    own: &str,
    seen: &mut u64,
    subscribed: &mut bool,
    stop: &mut watch::Receiver<bool>,
    ready: &mut Option<tokio::sync::mpsc::UnboundedSender<bool>>,
) -> Result<End, Fail> {
    let opts = SubscriptionOptions {
        qos: setup.qos,
        no_local: false,
        retain_as_published: false,
        retain_handling: 0,
    };
    let mut conn = tokio::time::timeout(setup.connect_timeout, async {
        let mut conn = Conn::open(setup, target, source).await?;
        let present = conn.handshake(setup, client_id, false).await?;
        if !conn.early.is_empty() {
            stats.before_connack.fetch_add(conn.early.len(), Relaxed);
            for frame in std::mem::take(&mut conn.early) {
                on_packet(&mut conn, stats, user, seen, &frame)?;
            }
        }
        if !present || !*subscribed {
            let list = [(own, opts), (setup.broadcast_topic.as_str(), opts)];
            conn.send(Packet::Subscribe(Subscribe {
                packet_id: 1,
                properties: Properties::EMPTY,
                filters: Filters::from_list(&list),
            }))
            .await?;
            loop {
                let frame = conn.recv().await?;
                if let Packet::SubAck(s) = frame.packet()? {
                    if s.return_codes.iter().any(|&c| c >= 0x80) {
                        return Err(Fail(format!("SUBACK refused: {:?}", s.return_codes)));
                    }
                    break;
                }
                on_packet(&mut conn, stats, user, seen, &frame)?;
            }
            conn.flush().await?;
        }
        Ok::<_, Fail>(conn)
    })
    .await
    .map_err(|_| Fail("timed out connecting".into()))??;
    stats.connected.fetch_add(1, Relaxed);
    let _open = Open(stats);
    if !*subscribed {
        *subscribed = true;
        stats.subscribed.fetch_add(1, Relaxed);
    }
    if let Some(r) = ready.take() {
        let _ = r.send(true);
    }
    let ka = Duration::from_secs(setup.keep_alive.max(1) as u64);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ka, ka);
    loop {
        tokio::select! {
            frame = conn.recv() => {
                let frame = frame.inspect_err(|_| { stats.dropped.fetch_add(1, Relaxed); })?;
                on_packet(&mut conn, stats, user, seen, &frame)?;
                conn.flush().await?;
            }
            _ = ping.tick() => conn.send(Packet::PingReq).await?,
            _ = stop.changed() => {
                conn.disconnect().await;
                return Ok(End::Stopped);
            }
        }
    }
}

/// Count a notification and queue its PUBACK.
fn on_packet(
    conn: &mut Conn,
    stats: &Stats,
    user: u32,
    seen: &mut u64,
    frame: &Frame,
) -> Result<(), Fail> {
    if let Packet::Publish(p) = frame.packet()? {
        match stats::read_payload(p.payload) {
            Some(n) if n.kind == KIND_DIRECT => stats.direct_received(user, &n),
            Some(n) if n.kind == KIND_BROADCAST => stats.broadcast_received(seen, &n),
            _ => {
                stats.foreign.fetch_add(1, Relaxed);
            }
        }
        if let Some(pid) = p.packet_id {
            conn.queue(Packet::PubAck(Ack {
                packet_id: pid,
                reason_code: None,
                properties: None,
            }))?;
        }
    }
    Ok(())
}

/// A small xorshift generator: the users a publisher picks need no more.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// What a publisher is told to do.
pub struct PubPlan {
    /// This publisher's index.
    pub index: usize,
    /// Notifications a second from this publisher.
    pub rate: f64,
    /// Seconds between broadcasts (publisher 0 only; 0 = none).
    pub broadcast_every: f64,
    /// When publishing stops.
    pub until: Instant,
}

/// A publisher: notifications at `plan.rate` to random users, a broadcast
/// every `plan.broadcast_every` seconds, each QoS 1 (or the set QoS) with a
/// timestamp and an id; then it waits for the acknowledgements until `stop`.
pub async fn run_publisher(
    setup: Arc<Setup>,
    stats: Arc<Stats>,
    plan: PubPlan,
    mut stop: watch::Receiver<bool>,
) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (plan.index as u64 + 1).wrapping_mul(0x2545_f491));
    let mut sent = 0u64;
    let started = Instant::now();
    let mut last_bcast: Option<Instant> = None;
    let mut attempt = 0usize;
    let mut topic = String::with_capacity(48);
    let mut payload = Vec::with_capacity(setup.payload);
    let mut next_pid: u16 = 0;
    let mut inflight: u64 = 0;
    let mut finished = false;
    loop {
        if *stop.borrow() {
            break;
        }
        let target = setup.pub_targets[(plan.index + attempt) % setup.pub_targets.len()];
        let client_id = format!("{}pub{}", setup.prefix, plan.index);
        let res: Result<End, Fail> = async {
            let mut conn = tokio::time::timeout(setup.connect_timeout, async {
                let mut c = Conn::open(&setup, target, None).await?;
                c.handshake(&setup, &client_id, true).await?;
                Ok::<_, Fail>(c)
            })
            .await
            .map_err(|_| Fail("timed out connecting".into()))??;
            inflight = 0;
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let ka = Duration::from_secs(setup.keep_alive.max(1) as u64);
            let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ka, ka);
            loop {
                tokio::select! {
                    _ = tick.tick(), if !finished => {
                        if Instant::now() >= plan.until || stats.stop_publishing.load(Relaxed) {
                            finished = true;
                            stats.publishers_done.fetch_add(1, Relaxed);
                            continue;
                        }
                        let due = (started.elapsed().as_secs_f64() * plan.rate) as u64;
                        while sent < due {
                            sent += 1;
                            // Keep under the 16-bit packet id space in flight.
                            if setup.qos != QoS::AtMostOnce && inflight >= 60_000 {
                                stats.throttled.fetch_add(1, Relaxed);
                                continue;
                            }
                            let id = stats.published.fetch_add(1, Relaxed);
                            if id as usize >= stats.direct.len() {
                                stats.published.fetch_sub(1, Relaxed);
                                stats.throttled.fetch_add(1, Relaxed);
                                continue;
                            }
                            let user = (rng.next() % setup.users as u64) as u32;
                            topic.clear();
                            use std::fmt::Write as _;
                            let _ = write!(topic, "user/{user}/notifications");
                            stats::write_payload(&mut payload, id, user, KIND_DIRECT, setup.payload);
                            publish(&mut conn, &setup, &topic, &payload, &mut next_pid, &mut inflight)?;
                        }
                        if plan.broadcast_every > 0.0
                            && last_bcast.is_none_or(|t| t.elapsed().as_secs_f64() >= plan.broadcast_every)
                        {
                            last_bcast = Some(Instant::now());
                            let id = stats.broadcasts.fetch_add(1, Relaxed);
                            stats::write_payload(&mut payload, id, 0, KIND_BROADCAST, setup.payload);
                            let t = setup.broadcast_topic.clone();
                            publish(&mut conn, &setup, &t, &payload, &mut next_pid, &mut inflight)?;
                        }
                        conn.flush().await?;
                    }
                    frame = conn.recv() => {
                        if let Packet::PubAck(_) = frame?.packet()? {
                            inflight = inflight.saturating_sub(1);
                            stats.acked.fetch_add(1, Relaxed);
                        }
                    }
                    _ = ping.tick() => conn.send(Packet::PingReq).await?,
                    _ = stop.changed() => {
                        conn.disconnect().await;
                        return Ok(End::Stopped);
                    }
                }
            }
        }
        .await;
        match res {
            Ok(End::Stopped) => break,
            Err(Fail(msg)) => {
                stats.connect_error(format!("publisher {} via {target}: {msg}", plan.index));
                if !setup.reconnect {
                    break;
                }
                attempt += 1;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                    _ = stop.changed() => break,
                }
            }
        }
    }
    if !finished {
        stats.publishers_done.fetch_add(1, Relaxed);
    }
}

fn publish(
    conn: &mut Conn,
    setup: &Setup,
    topic: &str,
    payload: &[u8],
    next_pid: &mut u16,
    inflight: &mut u64,
) -> Result<(), Fail> {
    let packet_id = if setup.qos == QoS::AtMostOnce {
        None
    } else {
        *next_pid = next_pid.checked_add(1).unwrap_or(1);
        *inflight += 1;
        Some(*next_pid)
    };
    conn.queue(Packet::Publish(Publish {
        dup: false,
        qos: setup.qos,
        retain: false,
        topic,
        packet_id,
        properties: Properties::EMPTY,
        payload,
    }))
}
