//! One client connection: CONNECT, then a loop that reads packets, writes what the router sends
//! it, and enforces the keep-alive. Anything that is not MQTT closes this connection only.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::codec::{
    self, CloseReason, CodecError, ConnCode, ConnectInfo, InPublish, Inbound, Outbound, Version,
    Will,
};
use super::jobs::{self, ToRequester};
use super::router::{Message, Router, ToConn};
use super::subscriptions::{ClientId, valid_filter, valid_topic};
use crate::serve::service::Service;

/// How long a new connection may take to send its CONNECT.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many queued deliveries are written with one syscall.
const WRITE_BATCH: usize = 256;
/// A client that stops reading is disconnected after this long, so its unwritten messages
/// cannot hold up a receipt (and so the admin `clock/advance`) for ever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What every connection shares.
pub struct Shared {
    /// Weak: the service owns the router as its publisher, so a strong link back would be a cycle.
    pub service: Weak<Service>,
    pub router: Arc<Router>,
    /// The largest remaining length accepted in one packet.
    pub max_packet: usize,
    /// Only `$aws/things/<client id>/...` among the `$aws` topics (see [`authorised`]).
    pub per_thing_auth: bool,
    /// Names clients that connect without an id.
    pub next_anonymous: AtomicU64,
}

/// With per-thing authorisation a client may use its own `$aws/things/<client id>/...` topics
/// and any non-`$aws` topic; other things' topics, `$aws/things/+/...` filters and the rest of
/// `$aws` (events) are refused.
pub fn authorised(client: &str, topic: &str) -> bool {
    match topic.strip_prefix("$aws/things/") {
        Some(rest) => rest
            .strip_prefix(client)
            .is_some_and(|r| r.starts_with('/')),
        None => !topic.starts_with("$aws/"),
    }
}

/// How a connection ended; decides whether the will is published.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// DISCONNECT from the client.
    Graceful,
    /// The broker closed it (takeover, shutdown): no will.
    Closed,
    /// Network loss, keep-alive expiry, protocol violation: the will is published.
    Lost,
}

/// Any byte stream a client connected on: plain TCP, TLS (the 8883 convention).
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<S: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for S {}

type Rd<S> = ReadHalf<S>;
type Wr<S> = WriteHalf<S>;

/// Serves one connection until it ends.
pub async fn serve<S: Stream>(stream: S, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut inbuf = BytesMut::with_capacity(1024);
    let first = tokio::time::timeout(
        CONNECT_TIMEOUT,
        read_connect(&mut rd, &mut inbuf, shared.max_packet),
    )
    .await;
    let (version, info) = match first {
        Ok(Ok(Some(c))) => c,
        Ok(Ok(None)) => {
            // An MQTT CONNECT of another protocol level: refuse it in the 3.1.1 form every
            // version understands (return code 1), then close.
            refuse(&mut wr, Version::V4, ConnCode::BadProtocolVersion).await;
            return;
        }
        _ => return,
    };
    let Some((client, assigned)) = client_id(&shared, &info) else {
        refuse(&mut wr, version, ConnCode::BadClientId).await;
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let attached = shared
        .router
        .attach(&client, info.clean, info.persistent, tx);
    let mut conn = Connection {
        version,
        client,
        conn_id: attached.conn_id,
        shared,
        out: BytesMut::with_capacity(1024),
        inflight: HashMap::new(),
        next_pkid: 0,
        seq: 0,
        will: info.will,
    };
    let ack = Outbound::ConnAck {
        session_present: attached.session_present,
        code: ConnCode::Accepted,
        assigned_id: assigned,
        max_packet: conn.shared.max_packet,
    };
    let keep_alive =
        (info.keep_alive > 0).then(|| Duration::from_millis(u64::from(info.keep_alive) * 1500));
    let end = if conn.push(ack) && conn.flush(&mut wr).await {
        conn.run(&mut rd, &mut wr, inbuf, &mut rx, keep_alive, stop)
            .await
    } else {
        End::Lost
    };
    let _ = wr.shutdown().await;
    conn.finish(end, &mut rx);
}

/// Answers a CONNECT with a refusing CONNACK; the caller then closes the connection.
async fn refuse<S: Stream>(wr: &mut Wr<S>, version: Version, code: ConnCode) {
    let mut out = BytesMut::new();
    let ack = Outbound::ConnAck {
        session_present: false,
        code,
        assigned_id: None,
        max_packet: 0,
    };
    if codec::encode(version, ack, &mut out).is_ok() {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, wr.write_all(&out)).await;
    }
}

/// Reads the first packet. `Ok(None)`: a CONNECT of an unsupported protocol level.
async fn read_connect<S: Stream>(
    rd: &mut Rd<S>,
    buf: &mut BytesMut,
    max: usize,
) -> Result<Option<(Version, ConnectInfo)>, CodecError> {
    loop {
        // Refuse a first packet that is not a CONNECT (0x10) at its first byte, rather than
        // waiting for the rest of a frame that is not MQTT at all.
        if buf.first().is_some_and(|&b| b != 0x10) {
            return Err(CodecError::Malformed("first packet is not CONNECT".into()));
        }
        if codec::frame_ready(buf, max)?.is_some() {
            let version = match codec::connect_level(buf)? {
                4 => Version::V4,
                5 => Version::V5,
                _ => return Ok(None),
            };
            return match codec::decode(version, buf, max)? {
                Inbound::Connect(c) => Ok(Some((version, c))),
                _ => Err(CodecError::Malformed("first packet is not CONNECT".into())),
            };
        }
        match rd.read_buf(buf).await {
            Ok(0) | Err(_) => return Err(CodecError::Malformed("closed before CONNECT".into())),
            Ok(_) => {}
        }
    }
}

/// The client id to register, and the one to announce (v5) if the broker chose it. An empty id
/// is allowed only for a session that ends with the connection (MQTT 3.1.1 §3.1.3.1); the same
/// rule is applied to v5.
fn client_id(shared: &Shared, info: &ConnectInfo) -> Option<(ClientId, Option<String>)> {
    if !info.client_id.is_empty() {
        return Some((ClientId::from(info.client_id.as_str()), None));
    }
    if info.persistent {
        return None;
    }
    let n = shared.next_anonymous.fetch_add(1, Ordering::Relaxed);
    let id = format!("jobrig-anonymous-{n}");
    Some((ClientId::from(id.as_str()), Some(id)))
}

struct Connection {
    version: Version,
    client: ClientId,
    conn_id: u64,
    shared: Arc<Shared>,
    out: BytesMut,
    /// QoS 1 messages written but not acknowledged, with their send order.
    inflight: HashMap<u16, (u64, Message)>,
    next_pkid: u16,
    seq: u64,
    will: Option<Will>,
}

/// What to do after a packet.
enum Flow {
    Continue,
    Disconnect,
    Close(CloseReason),
}

impl Connection {
    /// Encodes a packet into the output buffer; false if it could not be encoded.
    fn push(&mut self, p: Outbound) -> bool {
        codec::encode(self.version, p, &mut self.out).is_ok()
    }

    async fn flush<S: Stream>(&mut self, wr: &mut Wr<S>) -> bool {
        if self.out.is_empty() {
            return true;
        }
        let ok = matches!(
            tokio::time::timeout(WRITE_TIMEOUT, wr.write_all(&self.out)).await,
            Ok(Ok(()))
        );
        self.out.clear();
        ok
    }

    async fn run<S: Stream>(
        &mut self,
        rd: &mut Rd<S>,
        wr: &mut Wr<S>,
        mut inbuf: BytesMut,
        rx: &mut mpsc::UnboundedReceiver<ToConn>,
        keep_alive: Option<Duration>,
        mut stop: watch::Receiver<bool>,
    ) -> End {
        let mut deadline = keep_alive.map(|k| Instant::now() + k);
        // Bytes that arrived with the CONNECT are handled before reading more.
        let mut pending_input = !inbuf.is_empty();
        loop {
            if pending_input {
                pending_input = false;
                match self.process(&mut inbuf) {
                    Flow::Continue => {}
                    Flow::Disconnect => return End::Graceful,
                    Flow::Close(reason) => {
                        self.push(Outbound::Disconnect(reason));
                        let _ = self.flush(wr).await;
                        return End::Lost;
                    }
                }
                if !self.flush(wr).await {
                    return End::Lost;
                }
            }
            let expiry = async move {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = async { stop.wait_for(|s| *s).await.map(|_| ()) } => {
                    self.push(Outbound::Disconnect(CloseReason::ShuttingDown));
                    let _ = self.flush(wr).await;
                    return End::Closed;
                }
                msg = rx.recv() => {
                    let mut dones = Vec::new();
                    let mut next = msg;
                    for _ in 0..WRITE_BATCH {
                        match next {
                            Some(ToConn::Deliver(m, done)) => {
                                self.deliver(m);
                                dones.extend(done);
                            }
                            Some(ToConn::Close(reason)) => {
                                self.push(Outbound::Disconnect(reason));
                                let _ = self.flush(wr).await;
                                return End::Closed;
                            }
                            None => return End::Closed,
                        }
                        match rx.try_recv() {
                            Ok(m) => next = Some(m),
                            Err(_) => break,
                        }
                    }
                    if !self.flush(wr).await {
                        return End::Lost;
                    }
                    complete(dones);
                }
                read = rd.read_buf(&mut inbuf) => {
                    match read {
                        Ok(0) | Err(_) => return End::Lost,
                        Ok(_) => {
                            deadline = keep_alive.map(|k| Instant::now() + k);
                            pending_input = true;
                        }
                    }
                }
                _ = expiry => {
                    self.push(Outbound::Disconnect(CloseReason::KeepAliveTimeout));
                    let _ = self.flush(wr).await;
                    return End::Lost;
                }
            }
        }
    }

    /// Handles every complete packet in `inbuf`.
    fn process(&mut self, inbuf: &mut BytesMut) -> Flow {
        loop {
            match codec::frame_ready(inbuf, self.shared.max_packet) {
                Ok(None) => return Flow::Continue,
                Ok(Some(_)) => {}
                Err(CodecError::TooLarge(_)) => return Flow::Close(CloseReason::PacketTooLarge),
                Err(_) => return Flow::Close(CloseReason::Malformed),
            }
            let packet = match codec::decode(self.version, inbuf, self.shared.max_packet) {
                Ok(p) => p,
                Err(_) => return Flow::Close(CloseReason::Malformed),
            };
            match self.handle(packet) {
                Flow::Continue => {}
                other => return other,
            }
        }
    }

    fn handle(&mut self, packet: Inbound) -> Flow {
        match packet {
            Inbound::Publish(p) => return self.publish(p),
            Inbound::PubAck(pkid) => {
                self.inflight.remove(&pkid);
            }
            Inbound::Subscribe { pkid, filters } => {
                let granted: Vec<(String, Option<u8>)> = filters
                    .into_iter()
                    .map(|(f, q)| {
                        let ok = valid_filter(&f)
                            && (!self.shared.per_thing_auth || authorised(&self.client, &f));
                        // QoS 2 is granted as 1: the broker offers at most QoS 1, as AWS IoT.
                        let g = ok.then_some(q.min(1));
                        (f, g)
                    })
                    .collect();
                self.shared
                    .router
                    .subscribe(&self.client, self.conn_id, &granted);
                self.push(Outbound::SubAck {
                    pkid,
                    granted: granted.into_iter().map(|(_, g)| g).collect(),
                });
            }
            Inbound::Unsubscribe { pkid, filters } => {
                self.shared
                    .router
                    .unsubscribe(&self.client, self.conn_id, &filters);
                self.push(Outbound::UnsubAck {
                    pkid,
                    count: filters.len(),
                });
            }
            Inbound::PingReq => {
                self.push(Outbound::PingResp);
            }
            Inbound::Disconnect => {
                self.will = None;
                return Flow::Disconnect;
            }
            Inbound::Ignored => {}
            Inbound::Connect(_) | Inbound::ServerOnly => {
                return Flow::Close(CloseReason::ProtocolError);
            }
        }
        Flow::Continue
    }

    fn publish(&mut self, p: InPublish) -> Flow {
        // AWS IoT refuses QoS 2 by closing the connection; so does jobrig.
        if p.qos > 1 || !valid_topic(&p.topic) {
            return Flow::Close(CloseReason::ProtocolError);
        }
        let allowed = !self.shared.per_thing_auth || authorised(&self.client, &p.topic);
        if allowed {
            let jobs = match self.shared.service.upgrade() {
                Some(service) => {
                    let to = ToRequester {
                        router: &self.shared.router,
                        client: &self.client,
                        qos: p.qos,
                    };
                    jobs::handle(&service, &to, &p.topic, &p.payload)
                }
                None => false,
            };
            if !jobs {
                self.shared
                    .router
                    .route(&p.topic, p.payload, p.qos, None, None);
            }
        }
        // A refused publish is dropped but still acknowledged, so the client does not resend it.
        if p.qos == 1 {
            self.push(Outbound::PubAck(p.pkid));
        }
        Flow::Continue
    }

    /// Writes one routed message; QoS 1 ones wait in `inflight` for their PUBACK.
    fn deliver(&mut self, m: Message) {
        let pkid = if m.qos > 0 { self.alloc_pkid() } else { None };
        let qos = if pkid.is_some() { m.qos } else { 0 };
        let packet = Outbound::Publish {
            topic: m.topic.clone(),
            payload: m.payload.clone(),
            qos,
            pkid: pkid.unwrap_or(0),
            dup: m.dup && qos > 0,
        };
        if self.push(packet) {
            if let Some(id) = pkid {
                self.seq += 1;
                self.inflight.insert(id, (self.seq, m));
            }
        }
    }

    /// A packet id not in flight; `None` only if all 65,535 are (then the message goes at QoS 0).
    fn alloc_pkid(&mut self) -> Option<u16> {
        for _ in 0..u16::MAX {
            self.next_pkid = self.next_pkid.wrapping_add(1).max(1);
            if !self.inflight.contains_key(&self.next_pkid) {
                return Some(self.next_pkid);
            }
        }
        None
    }

    /// Hands unacknowledged messages back to the session and publishes the will if due.
    fn finish(self, end: End, rx: &mut mpsc::UnboundedReceiver<ToConn>) {
        let mut unacked: Vec<(u64, Message)> = self.inflight.into_values().collect();
        unacked.sort_by_key(|(seq, _)| *seq);
        let unacked = unacked
            .into_iter()
            .map(|(_, mut m)| {
                m.dup = true;
                m
            })
            .collect();
        let router = &self.shared.router;
        router.detach(&self.client, self.conn_id, unacked, rx);
        if end == End::Lost {
            if let Some(w) = self.will {
                let allowed = valid_topic(&w.topic)
                    && (!self.shared.per_thing_auth || authorised(&self.client, &w.topic));
                if allowed {
                    router.route(&w.topic, w.payload, w.qos.min(1), None, None);
                }
            }
        }
    }
}

fn complete(dones: Vec<oneshot::Sender<()>>) {
    for d in dones {
        let _ = d.send(());
    }
}
