//! The fault proxy: a TCP proxy between a device and the broker that misbehaves on cue.
//!
//! A rig points a device at [`FaultProxy::local_addr`] instead of the broker. Every accepted
//! connection opens its own upstream connection and bytes are relayed both ways. While it runs,
//! the proxy can:
//! - [`FaultProxy::cut`] every open connection now (the device sees its socket close);
//! - discard traffic in both directions ([`FaultProxy::set_dropping`], [`FaultProxy::drop_for`]):
//!   the sockets stay open but nothing gets through, like a dead Wi-Fi link;
//! - add latency to forwarded data ([`FaultProxy::delay`]);
//! - refuse new connections ([`FaultProxy::set_refusing`], [`FaultProxy::refuse_for`]): accept
//!   and close at once, like a broker that is down.
//!
//! The boolean toggles make tests deterministic; the `Duration` forms are for rigs and run on the
//! wall clock (tokio's), because network faults happen in real time — job time is the
//! emulator's and does not move with them. [`Counters`] and [`FaultProxy::wait_until`] let a
//! test wait for an effect (a refusal, dropped bytes) instead of sleeping.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// Largest chunk read from one side before it is forwarded.
const CHUNK: usize = 16 * 1024;
/// Chunks in flight per direction; a full queue stops reading, so a delayed link back-pressures
/// the sender instead of buffering without bound.
const IN_FLIGHT: usize = 64;
/// Stand-in for "forever" (30 years, as tokio's own far future): `Instant + Duration::MAX`
/// would overflow and panic, so longer durations saturate to this.
const FOREVER: Duration = Duration::from_secs(86_400 * 365 * 30);
/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Why the fault proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    #[error(
        "the fault proxy must be started inside a tokio runtime: call FaultProxy::start from \
         async code running on tokio (e.g. under #[tokio::main] or #[tokio::test])"
    )]
    NoRuntime,
    #[error(
        "the fault proxy could not listen on 127.0.0.1 with an OS-chosen port: {source}; check \
         that the loopback interface is up and that the process may open sockets"
    )]
    Bind { source: io::Error },
    #[error(
        "the fault proxy's listener reports no local address: {source}; this is an OS-level \
         socket failure, retry or check the socket limits (ulimit -n)"
    )]
    LocalAddr { source: io::Error },
}

/// What the proxy has done so far, for assertions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Connections accepted and relayed (refused ones are not counted here).
    pub accepted: u64,
    /// Connections accepted and closed at once because refusing was on.
    pub refused: u64,
    /// Connections closed by [`FaultProxy::cut`].
    pub cut: u64,
    /// Accepted connections closed because the upstream could not be reached.
    pub upstream_failed: u64,
    /// Connections currently being relayed (or connecting upstream).
    pub open: u64,
    /// Bytes read from either side and discarded because dropping was on.
    pub dropped_bytes: u64,
}

/// A running fault proxy. Dropping it closes the listener and every relayed connection.
pub struct FaultProxy {
    local: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

/// State shared by the handle, the accept loop and every connection task.
struct Shared {
    upstream: SocketAddr,
    dropping: AtomicBool,
    refusing: AtomicBool,
    drop_until: Mutex<Option<Instant>>,
    refuse_until: Mutex<Option<Instant>>,
    delay: Mutex<Duration>,
    /// One cut signal per open connection, by connection id.
    live: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    counters: watch::Sender<Counters>,
}

/// A lock that survives a panicked holder: the guarded values are plain data, always valid.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultProxy {
    /// Listens on 127.0.0.1 (OS-chosen port) and relays each connection to `upstream`.
    /// The upstream is dialled per connection, so it need not be up yet.
    pub async fn start(upstream: SocketAddr) -> Result<FaultProxy, FaultError> {
        tokio::runtime::Handle::try_current().map_err(|_| FaultError::NoRuntime)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|source| FaultError::Bind { source })?;
        let local = listener
            .local_addr()
            .map_err(|source| FaultError::LocalAddr { source })?;
        let shared = Arc::new(Shared {
            upstream,
            dropping: AtomicBool::new(false),
            refusing: AtomicBool::new(false),
            drop_until: Mutex::new(None),
            refuse_until: Mutex::new(None),
            delay: Mutex::new(Duration::ZERO),
            live: Mutex::new(HashMap::new()),
            counters: watch::Sender::new(Counters::default()),
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(FaultProxy {
            local,
            shared,
            accept_task,
        })
    }

    /// Where devices connect instead of the broker.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address every connection is relayed to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// Closes every open connection now; returns how many. Each connection's task closes its two
    /// sockets as soon as it runs; `Counters::open` shows when all are gone. New connections are still accepted
    /// unless refusing is on.
    pub fn cut(&self) -> usize {
        let signals: Vec<_> = lock(&self.shared.live).drain().map(|(_, s)| s).collect();
        let n = signals.len();
        for s in signals {
            // A connection that ended on its own meanwhile has dropped its receiver: nothing to do.
            let _ = s.send(());
        }
        self.shared
            .counters
            .send_modify(|c| c.cut += u64::try_from(n).unwrap_or(u64::MAX));
        n
    }

    /// Discards traffic in both directions (on) or forwards it again (off). Turning it off also
    /// ends a [`FaultProxy::drop_for`] window. Connections stay open either way.
    pub fn set_dropping(&self, on: bool) {
        self.shared.dropping.store(on, Ordering::SeqCst);
        if !on {
            *lock(&self.shared.drop_until) = None;
        }
    }

    /// Discards traffic in both directions for `d` of wall-clock time from now (`Duration::MAX`:
    /// until [`FaultProxy::set_dropping`]`(false)`).
    pub fn drop_for(&self, d: Duration) {
        *lock(&self.shared.drop_until) = Some(deadline(d));
    }

    /// Whether traffic is being discarded now (toggle or window).
    pub fn is_dropping(&self) -> bool {
        self.shared.is_dropping()
    }

    /// Adds `d` of latency to every chunk forwarded from now on, in each direction
    /// (`Duration::ZERO` removes it). Data already in flight keeps its schedule.
    pub fn delay(&self, d: Duration) {
        *lock(&self.shared.delay) = d;
    }

    /// Refuses new connections (on): each is accepted and closed at once. Open connections are
    /// not touched; combine with [`FaultProxy::cut`] to take a device offline. Turning it off
    /// also ends a [`FaultProxy::refuse_for`] window.
    pub fn set_refusing(&self, on: bool) {
        self.shared.refusing.store(on, Ordering::SeqCst);
        if !on {
            *lock(&self.shared.refuse_until) = None;
        }
    }

    /// Refuses new connections for `d` of wall-clock time from now (`Duration::MAX`: until
    /// [`FaultProxy::set_refusing`]`(false)`).
    pub fn refuse_for(&self, d: Duration) {
        *lock(&self.shared.refuse_until) = Some(deadline(d));
    }

    /// Whether new connections are refused now (toggle or window).
    pub fn is_refusing(&self) -> bool {
        self.shared.is_refusing()
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        *self.shared.counters.borrow()
    }

    /// Waits until the counters satisfy `pred` and returns them; use it (under a timeout) to wait
    /// for an effect of the proxy instead of sleeping.
    pub async fn wait_until(&self, mut pred: impl FnMut(&Counters) -> bool) -> Counters {
        let mut rx = self.shared.counters.subscribe();
        // The sender lives in `self.shared`, so the channel cannot close while we wait.
        match rx.wait_for(|c| pred(c)).await {
            Ok(c) => *c,
            Err(_) => self.counters(),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Aborting the accept task drops the listener and its JoinSet, which aborts every
        // connection task and so closes both sockets of each relayed connection.
        self.accept_task.abort();
    }
}

impl Shared {
    fn is_dropping(&self) -> bool {
        self.dropping.load(Ordering::SeqCst) || within_window(&self.drop_until)
    }

    fn is_refusing(&self) -> bool {
        self.refusing.load(Ordering::SeqCst) || within_window(&self.refuse_until)
    }

    fn delay(&self) -> Duration {
        *lock(&self.delay)
    }

    fn count(&self, f: impl FnOnce(&mut Counters)) {
        self.counters.send_modify(f);
    }

    /// Registers a new connection; the receiver fires when it is cut.
    fn register(&self, id: u64) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        lock(&self.live).insert(id, tx);
        self.count(|c| {
            c.accepted += 1;
            c.open += 1;
        });
        rx
    }

    fn forget(&self, id: u64) {
        lock(&self.live).remove(&id);
        self.count(|c| c.open = c.open.saturating_sub(1));
    }
}

/// `d` from now, saturating at [`FOREVER`] instead of overflowing.
fn deadline(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d.min(FOREVER)).unwrap_or(now)
}

fn within_window(until: &Mutex<Option<Instant>>) -> bool {
    lock(until).is_some_and(|t| Instant::now() < t)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = JoinSet::new();
    let mut next_id: u64 = 0;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    if shared.is_refusing() {
                        // Accept-then-close: the device sees its connection drop at once.
                        drop(client);
                        shared.count(|c| c.refused += 1);
                        continue;
                    }
                    next_id = next_id.wrapping_add(1);
                    let cut = shared.register(next_id);
                    conns.spawn(connection(Arc::clone(&shared), client, cut, next_id));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "fault proxy: accept failed, retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            // Reap finished connection tasks so the set does not grow without bound.
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Relays one connection until either side closes, an I/O error, or a cut.
async fn connection(shared: Arc<Shared>, client: TcpStream, cut: oneshot::Receiver<()>, id: u64) {
    tokio::select! {
        // A cut (or, never in practice, a lost sender): dropping the relay closes both sockets.
        _ = cut => {}
        result = relay(&shared, client) => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "fault proxy: connection ended");
            }
        }
    }
    shared.forget(id);
}

async fn relay(shared: &Shared, client: TcpStream) -> io::Result<()> {
    let upstream = match TcpStream::connect(shared.upstream).await {
        Ok(s) => s,
        Err(e) => {
            shared.count(|c| c.upstream_failed += 1);
            return Err(e);
        }
    };
    // MQTT packets are small; Nagle would add latency the test did not ask for.
    client.set_nodelay(true)?;
    upstream.set_nodelay(true)?;
    let (client_read, client_write) = client.into_split();
    let (upstream_read, upstream_write) = upstream.into_split();
    tokio::try_join!(
        pipe(shared, client_read, upstream_write),
        pipe(shared, upstream_read, client_write),
    )?;
    Ok(())
}

/// One direction: a reader that drops or timestamps chunks, and a writer that sends each chunk
/// when its delay is over. Split in two so latency does not accumulate across chunks.
async fn pipe(shared: &Shared, mut from: OwnedReadHalf, mut to: OwnedWriteHalf) -> io::Result<()> {
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(IN_FLIGHT);
    let reading = async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = from.read(&mut buf).await?;
            if n == 0 {
                // End of stream: dropping `tx` lets the writer finish and pass the EOF on.
                return Ok::<(), io::Error>(());
            }
            if shared.is_dropping() {
                let n = u64::try_from(n).unwrap_or(u64::MAX);
                shared.count(|c| c.dropped_bytes += n);
                continue;
            }
            let due = deadline(shared.delay());
            if tx.send((due, buf[..n].to_vec())).await.is_err() {
                return Ok(());
            }
        }
    };
    let writing = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            to.write_all(&chunk).await?;
        }
        // Half-close towards the peer. It may already be gone, which ends the relay anyway.
        let _ = to.shutdown().await;
        Ok::<(), io::Error>(())
    };
    tokio::try_join!(reading, writing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Safety net only: every wait below ends on an event long before this.
    const SAFETY: Duration = Duration::from_secs(10);

    async fn within<F: std::future::Future>(f: F) -> F::Output {
        tokio::time::timeout(SAFETY, f)
            .await
            .expect("safety net: the proxy answered in time")
    }

    /// A trivial echo server on loopback: writes back whatever each connection sends.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind echo");
        let addr = listener.local_addr().expect("echo addr");
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn proxied() -> (FaultProxy, TcpStream) {
        let proxy = FaultProxy::start(echo_server().await)
            .await
            .expect("proxy starts");
        let s = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("connect to proxy");
        // The OS completes the handshake before the proxy accepts: wait for the proxy's side so
        // a fault set next cannot apply to this connection's accept.
        within(proxy.wait_until(|c| c.accepted == 1)).await;
        (proxy, s)
    }

    async fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        s.write_all(msg).await.expect("write");
        let mut got = vec![0u8; msg.len()];
        within(s.read_exact(&mut got)).await.expect("read echo");
        got
    }

    /// Reads until EOF or a reset: `true` once the socket is closed.
    async fn closed(s: &mut TcpStream) -> bool {
        let mut buf = [0u8; 64];
        loop {
            match within(s.read(&mut buf)).await {
                Ok(0) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
    }

    // Issue 4: the fault proxy relays bytes both ways unchanged when no fault is set.
    #[tokio::test]
    async fn relays_bytes_both_ways_unchanged() {
        let (proxy, mut s) = proxied().await;
        assert_eq!(roundtrip(&mut s, b"hello").await, b"hello");
        assert_eq!(proxy.counters().accepted, 1);
        assert_eq!(proxy.counters().open, 1);
    }

    // Issue 4: cut closes every open connection now and counts them; new ones still work.
    #[tokio::test]
    async fn cut_closes_every_open_connection_and_new_ones_are_accepted() {
        let (proxy, mut a) = proxied().await;
        let mut b = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("second connection");
        roundtrip(&mut a, b"a").await;
        roundtrip(&mut b, b"b").await;
        assert_eq!(proxy.cut(), 2);
        assert!(closed(&mut a).await && closed(&mut b).await);
        let c = within(proxy.wait_until(|c| c.open == 0)).await;
        assert_eq!((c.cut, c.accepted), (2, 2));
        let mut again = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("reconnect");
        assert_eq!(roundtrip(&mut again, b"back").await, b"back");
    }

    // Issue 4: while dropping, traffic is discarded silently and the connection stays open.
    #[tokio::test]
    async fn dropping_discards_traffic_but_keeps_the_connection_open() {
        let (proxy, mut s) = proxied().await;
        roundtrip(&mut s, b"warm").await;
        proxy.set_dropping(true);
        assert!(proxy.is_dropping());
        s.write_all(b"lost").await.expect("write while dropping");
        // The proxy has read and discarded the 4 bytes: turning dropping off cannot revive them.
        within(proxy.wait_until(|c| c.dropped_bytes == 4)).await;
        proxy.set_dropping(false);
        assert_eq!(roundtrip(&mut s, b"kept").await, b"kept", "not 'lost'");
        assert_eq!(proxy.counters().cut, 0);
        assert_eq!(proxy.counters().open, 1);
    }

    // Issue 4: drop_for opens a dropping window; set_dropping(false) ends it early.
    #[tokio::test]
    async fn drop_for_opens_a_window_that_set_dropping_false_ends() {
        let (proxy, mut s) = proxied().await;
        proxy.drop_for(Duration::from_secs(3600));
        assert!(proxy.is_dropping());
        s.write_all(b"xy").await.expect("write");
        within(proxy.wait_until(|c| c.dropped_bytes == 2)).await;
        proxy.set_dropping(false);
        assert!(!proxy.is_dropping());
        assert_eq!(roundtrip(&mut s, b"ok").await, b"ok");
        proxy.drop_for(Duration::ZERO);
        assert!(!proxy.is_dropping(), "an empty window drops nothing");
    }

    // Issue 4: delay adds latency to each direction (lower bound only; the timeout is a net).
    #[tokio::test]
    async fn delay_adds_latency_in_each_direction() {
        let (proxy, mut s) = proxied().await;
        let d = Duration::from_millis(150);
        proxy.delay(d);
        let t0 = Instant::now();
        assert_eq!(roundtrip(&mut s, b"slow").await, b"slow");
        assert!(t0.elapsed() >= 2 * d, "took {:?}", t0.elapsed());
        proxy.delay(Duration::ZERO);
        assert_eq!(roundtrip(&mut s, b"fast").await, b"fast");
    }

    // Issue 4: while refusing, new connections are accepted and closed at once, and counted;
    // open connections are untouched.
    #[tokio::test]
    async fn refusing_closes_new_connections_at_once_and_spares_open_ones() {
        let (proxy, mut open) = proxied().await;
        proxy.set_refusing(true);
        let mut refused = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("the OS still completes the handshake");
        assert!(closed(&mut refused).await);
        assert_eq!(proxy.counters().refused, 1);
        assert_eq!(roundtrip(&mut open, b"still").await, b"still");
        proxy.set_refusing(false);
        let mut back = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("connect");
        assert_eq!(roundtrip(&mut back, b"in").await, b"in");
        assert_eq!(proxy.counters().accepted, 2);
    }

    // Issue 4: refuse_for opens a refusing window; set_refusing(false) ends it early.
    #[tokio::test]
    async fn refuse_for_opens_a_window_that_set_refusing_false_ends() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        proxy.refuse_for(Duration::from_secs(3600));
        assert!(proxy.is_refusing());
        let mut s = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("connect");
        assert!(closed(&mut s).await);
        proxy.set_refusing(false);
        assert!(!proxy.is_refusing());
        proxy.refuse_for(Duration::ZERO);
        assert!(!proxy.is_refusing(), "an empty window refuses nothing");
    }

    // Issue 4: an unreachable upstream closes the device's connection and is counted, no panic.
    #[tokio::test]
    async fn unreachable_upstream_closes_the_connection_and_is_counted() {
        // Bind then drop a listener: its port is (almost certainly) closed now.
        let gone = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind")
            .local_addr()
            .expect("addr");
        let proxy = FaultProxy::start(gone)
            .await
            .expect("starts without upstream");
        let mut s = within(TcpStream::connect(proxy.local_addr()))
            .await
            .expect("connect");
        assert!(closed(&mut s).await);
        let c = within(proxy.wait_until(|c| c.upstream_failed == 1 && c.open == 0)).await;
        assert_eq!(c.accepted, 1);
    }

    // Issue 4: Duration::MAX windows mean "until turned off" instead of overflowing the clock.
    #[tokio::test]
    async fn duration_max_windows_last_until_turned_off() {
        let proxy = FaultProxy::start(echo_server().await).await.expect("proxy");
        proxy.drop_for(Duration::MAX);
        proxy.refuse_for(Duration::MAX);
        proxy.delay(Duration::MAX);
        assert!(proxy.is_dropping() && proxy.is_refusing());
        proxy.set_dropping(false);
        proxy.set_refusing(false);
        assert!(!proxy.is_dropping() && !proxy.is_refusing());
    }

    // Issue 4: dropping the proxy closes relayed connections and its listener.
    #[tokio::test]
    async fn dropping_the_proxy_closes_connections_and_the_listener() {
        let (proxy, mut s) = proxied().await;
        roundtrip(&mut s, b"x").await;
        let addr = proxy.local_addr();
        drop(proxy);
        assert!(closed(&mut s).await);
        // The listener is gone once the aborted accept task has been dropped; a connect then
        // fails or is closed at once, never relayed.
        if let Ok(Ok(mut late)) = tokio::time::timeout(SAFETY, TcpStream::connect(addr)).await {
            assert!(closed(&mut late).await);
        }
    }
}
