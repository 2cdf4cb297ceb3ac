//! The one way these tests wait for the simulator's controllers: look at observable state until
//! it is what the test needs. The poll interval here is the only sleep in the simulator's
//! integration tests, and the deadline bounds a hang; it measures nothing (a loaded 2-core CI
//! machine can be many times slower than a quiet one).

use std::future::Future;
use std::time::{Duration, Instant};

/// How long a test waits for a state before it fails.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Waits until `done` resolves to true, failing with `what` after [`PATIENCE`].
pub async fn wait_until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !done().await {
        assert!(Instant::now() < deadline, "waited {PATIENCE:?} for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
