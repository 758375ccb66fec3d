//! The thread an in-process server (the receiver, the proxy) runs on, and the one way it stops: signal it, then
//! join it, so that once [`ServerThread::stop`] returns its ports refuse connections. Dropping it stops it too.

/// A server's thread and the signal that ends it.
#[derive(Debug)]
pub(crate) struct ServerThread {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// The server running on `thread`, which ends when `shutdown` fires (or its sender is dropped).
    pub(crate) fn new(shutdown: tokio::sync::oneshot::Sender<()>, thread: std::thread::JoinHandle<()>) -> Self {
        ServerThread { shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// Signals the server and waits for its thread. Idempotent.
    pub(crate) fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop();
    }
}
