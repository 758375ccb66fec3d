//! Locks that survive a panic elsewhere: a test thread that panics while holding one of the receiver's, the
//! proxy's or rotel's locks must not turn every later assertion into a `PoisonError` panic that hides what was
//! recorded. Every critical section leaves its data valid, so the poison flag carries nothing to act on.

use std::sync::{LockResult, PoisonError};

/// The guard (or the guard and the timeout result) of a `lock`, `wait_timeout` or `wait_timeout_while`, poisoned
/// or not.
pub(crate) fn unpoisoned<G>(result: LockResult<G>) -> G {
    result.unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::unpoisoned;
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::Duration;

    #[test]
    fn a_lock_poisoned_by_a_panicking_test_thread_still_opens_with_its_data() {
        let mutex = Arc::new(Mutex::new(vec![1]));
        let poisoner = mutex.clone();
        let _ = std::thread::spawn(move || {
            let mut guard = poisoner.lock().unwrap();
            guard.push(2);
            panic!("poison the lock");
        })
        .join();
        assert!(mutex.is_poisoned());
        assert_eq!(*unpoisoned(mutex.lock()), [1, 2]);
        let (guard, timeout) = unpoisoned(Condvar::new().wait_timeout(unpoisoned(mutex.lock()), Duration::ZERO));
        assert!(timeout.timed_out());
        assert_eq!(*guard, [1, 2]);
    }
}
