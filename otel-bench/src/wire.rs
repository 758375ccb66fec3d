//! Bytes on the wire: a TCP forwarder between a workload program and the collector that counts the bytes the
//! program sends (OTLP requests, headers and framing included). The scenarios point a program at it and divide by
//! the spans the collector got.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running forwarder on 127.0.0.1 (an ephemeral port) to one upstream address. Stops when dropped.
pub struct CountingProxy {
    addr: SocketAddr,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl CountingProxy {
    /// Starts forwarding to `upstream`. Each accepted connection gets its own upstream connection and two copy
    /// threads (they end when either side closes).
    pub fn start(upstream: SocketAddr) -> std::io::Result<CountingProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (sent2, stop2) = (sent.clone(), stop.clone());
        let accept = std::thread::Builder::new().name("wire-proxy".into()).spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                // An unreachable upstream: the program sees its connection closed, as with a dead collector.
                let Ok(server) = TcpStream::connect(upstream) else { continue };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else { continue };
                let counter = sent2.clone();
                std::thread::spawn(move || pump(client, server, Some(&counter)));
                std::thread::spawn(move || pump(server2, client2, None));
            }
        })?;
        Ok(CountingProxy { addr, sent, stop, accept: Some(accept) })
    }

    /// The base URL to give a program (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes sent by programs through it so far.
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Copies `from` → `to` until either ends, counting the bytes into `counter`; then closes both directions so the
/// opposite pump ends too.
fn pump(mut from: TcpStream, mut to: TcpStream, counter: Option<&AtomicU64>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if let Some(c) = counter {
                    c.fetch_add(n as u64, Ordering::Relaxed);
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_both_ways_and_counts_what_the_client_sends() {
        let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
        let up_addr = upstream.local_addr().unwrap();
        let echo = std::thread::spawn(move || {
            let (mut s, _) = upstream.accept().unwrap();
            let mut got = [0u8; 5];
            s.read_exact(&mut got).unwrap();
            s.write_all(b"pong!").unwrap();
            got
        });
        let proxy = CountingProxy::start(up_addr).unwrap();
        let mut c = TcpStream::connect(proxy.addr).unwrap();
        c.write_all(b"ping!").unwrap();
        let mut reply = [0u8; 5];
        c.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"pong!");
        assert_eq!(&echo.join().unwrap(), b"ping!");
        // Only the client's bytes count: the reply is not what the program sends.
        assert_eq!(proxy.bytes_sent(), 5);
        assert!(proxy.endpoint().starts_with("http://127.0.0.1:"));
    }
}
