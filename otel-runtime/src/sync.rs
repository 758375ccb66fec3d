//! Locks that survive a panic elsewhere.
//!
//! A thread that panics while holding one of the pipeline's locks (a bug, or a library's, inside an export task)
//! poisons it. The pipeline must still export and, above all, still flush at exit after that: every critical
//! section here leaves the data it guards valid at each step (counters, queues, flags), so the poison flag carries
//! nothing we could act on, and turning it into a second panic would only lose the spans the flush is for.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// [`Mutex::lock`], ignoring poison (see the module documentation).
pub(crate) trait LockUnpoisoned<T> {
    /// The guard, whether or not a thread panicked while holding the lock.
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T>;
}

impl<T> LockUnpoisoned<T> for Mutex<T> {
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// [`Condvar::wait`] and [`Condvar::wait_timeout`], ignoring poison.
pub(crate) trait WaitUnpoisoned {
    /// Waits for a notification (or a spurious wake-up).
    fn wait_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T>;
    /// Waits for a notification, a spurious wake-up or the end of `timeout`.
    fn wait_timeout_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>, timeout: Duration) -> MutexGuard<'a, T>;
}

impl WaitUnpoisoned for Condvar {
    fn wait_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait(guard).unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait_timeout_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>, timeout: Duration) -> MutexGuard<'a, T> {
        self.wait_timeout(guard, timeout).unwrap_or_else(|poisoned| poisoned.into_inner()).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_poisoned_by_a_panic_still_opens_with_its_data() {
        let mutex = std::sync::Arc::new(Mutex::new(7));
        let poisoner = mutex.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        assert!(mutex.is_poisoned());
        assert_eq!(*mutex.lock_unpoisoned(), 7);
        let condvar = Condvar::new();
        let guard = condvar.wait_timeout_unpoisoned(mutex.lock_unpoisoned(), Duration::from_millis(1));
        assert_eq!(*guard, 7);
    }
}
