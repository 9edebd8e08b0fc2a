//! Reading one input on every core: its pieces (runs of lines, runs of array elements)
//! are parsed on worker threads, and the results are applied by the calling thread
//! strictly in the order of the pieces. What is built — and every message, with its
//! place — is therefore what reading the pieces one after another builds; only the
//! parsing, which needs no shared state, runs in parallel.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::{mpsc, Condvar, Mutex, MutexGuard, PoisonError};

/// How many results may wait to be applied per worker: enough to keep every worker busy
/// while the caller applies, few enough that memory holds a bounded number of pieces.
const WAITING_PER_WORKER: usize = 2;

/// The most threads one input is parsed with, whatever is asked: more only cost memory
/// (each holds pieces) and thread start-ups.
pub const MAX_THREADS: usize = 256;

/// The number of threads to parse with: `requested`, or the machine's cores when it is
/// 0; at most [`MAX_THREADS`].
pub fn thread_count(requested: usize) -> usize {
    let threads = if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    };
    threads.min(MAX_THREADS)
}

/// True when `check` holds for every one of `parts`, each checked on a thread of its own
/// (the first on this one; any the system will not start, here too, after it).
pub fn all<T: Sync>(parts: &[T], check: impl Fn(&T) -> bool + Sync) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return true;
    };
    std::thread::scope(|scope| {
        let check = &check;
        let started: Vec<_> = rest
            .iter()
            .map(|part| {
                (
                    part,
                    std::thread::Builder::new().spawn_scoped(scope, move || check(part)),
                )
            })
            .collect();
        let mut holds = check(first);
        for (part, thread) in started {
            holds &= match thread {
                // A check that panicked holds nothing.
                Ok(thread) => thread.join().unwrap_or(false),
                Err(_) => check(part),
            };
        }
        holds
    })
}

/// Calls `apply(parse(piece))` for every piece, in the order of `pieces`.
///
/// With `threads` > 1, `parse` runs on that many worker threads (at most
/// [`MAX_THREADS`]; as many as the system grants) while this thread applies the results
/// in order; at most `WAITING_PER_WORKER × threads` parsed pieces exist at any time. With
/// `threads` ≤ 1, or when no thread can be started, everything runs on this thread, one
/// piece after another: the sequential reading the parallel one must equal.
pub fn ordered_map<P, R, I>(
    pieces: I,
    threads: usize,
    parse: impl Fn(P) -> R + Sync,
    mut apply: impl FnMut(R),
) where
    I: Iterator<Item = P> + Send,
    P: Send,
    R: Send,
{
    let threads = threads.min(MAX_THREADS);
    if threads <= 1 {
        for piece in pieces {
            apply(parse(piece));
        }
        return;
    }
    let feed = Feed {
        state: Mutex::new(FeedState {
            pieces,
            handed_out: 0,
            applied: 0,
        }),
        room: Condvar::new(),
        window: WAITING_PER_WORKER.saturating_mul(threads),
    };
    let (results, received) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..threads {
            let results = results.clone();
            let (feed, parse) = (&feed, &parse);
            let worker = std::thread::Builder::new().spawn_scoped(scope, move || {
                while let Some((i, piece)) = feed.next() {
                    if results.send((i, parse(piece))).is_err() {
                        return;
                    }
                }
            });
            // A system out of threads grants fewer: those started do the work.
            if worker.is_err() {
                break;
            }
            started += 1;
        }
        if started == 0 {
            // Not one worker: this thread parses too, piece by piece, in order.
            while let Some((_, piece)) = feed.next() {
                apply(parse(piece));
                feed.applied(feed.handed_out());
            }
            return;
        }
        // The workers hold the only senders: the loop ends when the last one is done.
        drop(results);
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut next = 0;
        for (i, result) in received {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&next) {
                apply(result);
                next += 1;
                feed.applied(next);
            }
        }
    });
}

/// The pieces not yet handed to a worker, and how far the caller has applied.
struct Feed<I> {
    state: Mutex<FeedState<I>>,
    /// Signalled when a result is applied, so that a worker held back may go on.
    room: Condvar,
    window: usize,
}

struct FeedState<I> {
    pieces: I,
    handed_out: usize,
    applied: usize,
}

impl<I: Iterator> Feed<I> {
    /// The next piece and its index, once fewer than `window` results wait to be
    /// applied; `None` when every piece has been handed out.
    fn next(&self) -> Option<(usize, I::Item)> {
        let mut state = self.lock();
        while state.handed_out >= state.applied + self.window {
            state = self.room.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        let piece = state.pieces.next()?;
        let i = state.handed_out;
        state.handed_out += 1;
        Some((i, piece))
    }

    /// How many pieces have been handed out.
    fn handed_out(&self) -> usize {
        self.lock().handed_out
    }

    /// Notes that the first `count` results have been applied.
    fn applied(&self, count: usize) {
        self.lock().applied = count;
        self.room.notify_all();
    }

    /// The state; a worker that panicked leaves it consistent (its panic is raised again
    /// when the scope ends), so a poisoned lock is taken as it is.
    fn lock(&self) -> MutexGuard<'_, FeedState<I>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn all_holds_when_every_part_holds() {
        let parts: Vec<u32> = (0..9).collect();
        assert!(all(&parts, |&p| p < 9));
        assert!(!all(&parts, |&p| p != 8));
        assert!(!all(&parts, |&p| p != 0));
        assert!(all(&[] as &[u32], |_| false));
    }

    /// Results come back in the order of the pieces whatever the threads, even when the
    /// early pieces take longest to parse.
    #[test]
    fn results_are_applied_in_the_order_of_the_pieces() {
        for threads in [1, 2, 3, 8] {
            let mut applied = Vec::new();
            ordered_map(
                0..200u64,
                threads,
                |i| {
                    // Early pieces are slow, so that later ones finish first.
                    let spin = (200 - i) * 200;
                    let mut x = i;
                    for _ in 0..spin {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                    std::hint::black_box(x);
                    i * 2
                },
                |r| applied.push(r),
            );
            let expected: Vec<u64> = (0..200).map(|i| i * 2).collect();
            assert_eq!(applied, expected, "{threads} threads");
        }
    }

    /// The workers never run more than the window ahead of what has been applied: the
    /// memory held stays bounded whatever the input's length.
    #[test]
    fn workers_stay_within_the_window_of_what_is_applied() {
        let threads = 2;
        let parsed = AtomicUsize::new(0);
        let mut most_ahead = 0;
        let mut applied = 0;
        ordered_map(
            0..1000usize,
            threads,
            |i| {
                parsed.fetch_add(1, Ordering::SeqCst);
                i
            },
            |_| {
                // Slow application: the workers would race ahead if nothing held them.
                std::thread::sleep(std::time::Duration::from_micros(50));
                applied += 1;
                most_ahead = most_ahead.max(parsed.load(Ordering::SeqCst) - applied);
            },
        );
        assert_eq!(applied, 1000);
        assert!(
            most_ahead <= WAITING_PER_WORKER * threads,
            "{most_ahead} pieces parsed ahead of the application"
        );
    }

    #[test]
    fn no_pieces_apply_nothing() {
        let mut count = 0;
        ordered_map(std::iter::empty::<u8>(), 4, |x| x, |_| count += 1);
        assert_eq!(count, 0);
    }

    #[test]
    fn zero_threads_means_the_machines_cores_and_any_number_is_capped() {
        assert!(thread_count(0) >= 1);
        assert_eq!(thread_count(3), 3);
        assert_eq!(thread_count(usize::MAX), MAX_THREADS);
    }

    /// Asking for more threads than exist (or than the system grants) neither overflows
    /// nor changes the result.
    #[test]
    fn an_absurd_thread_count_gives_the_same_result() {
        let mut applied = Vec::new();
        ordered_map(0..50u32, usize::MAX, |i| i + 1, |r| applied.push(r));
        assert_eq!(applied, (1..=50).collect::<Vec<u32>>());
    }
}
