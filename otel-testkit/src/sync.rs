//! Locks that survive a panic elsewhere: a test thread that panics while holding one of the receiver's, the
//! proxy's or rotel's locks must not turn every later assertion into a `PoisonError` panic that hides what was
//! recorded. Every critical section leaves its data valid, so the poison flag carries nothing to act on.

use std::sync::{LockResult, PoisonError};

/// The guard (or the guard and the timeout result) of a `lock`, `wait_timeout` or `wait_timeout_while`, poisoned
/// or not.
pub(crate) fn unpoisoned<G>(result: LockResult<G>) -> G {
    result.unwrap_or_else(PoisonError::into_inner)
}
