//! The switch scenario: two units pass a token back and forth `scenario.switches` times, each
//! hand-off one switch from the unit that sends to the unit that waits. The token counts the
//! hand-offs: unit 0 sends 1, and whoever receives `t` sends `t + 1`; each side stops after the
//! last token, received or sent, so a pipe carries nothing after it. Unit 1 receives every odd token, unit 0 every
//! even one, and each unit's value is how many it received, so every model's checksum is the
//! same for the same config ([`expected_value`]).
//!
//! Each model passes the token through its own means: an async runtime's channel between two
//! tasks, a std channel between two OS threads, a pipe between two processes. One core
//! (`scenario.cpus = 1`) makes every switch a switch of that core; on two, an OS thread's
//! switch is a wake-up of the other core.

use std::future::Future;

use concbench_core::Config;

/// What unit `i` receives: unit 1 the odd tokens, unit 0 the even ones.
pub fn expected_value(switches: u64, i: usize) -> u64 {
    match i {
        0 => switches / 2,
        _ => switches - switches / 2,
    }
}

/// One unit's side, blocking: `send` hands the token on (false once the other side is gone),
/// `recv` waits for it (`None` once the other side is gone). Unit 0 starts. Returns the tokens
/// received.
pub fn relay(
    unit: usize,
    switches: u64,
    mut send: impl FnMut(u64) -> bool,
    mut recv: impl FnMut() -> Option<u64>,
) -> u64 {
    let mut received = 0;
    if unit == 0 && !send(1) {
        return 0;
    }
    while let Some(t) = recv() {
        received += 1;
        // Stop after the last token, received or sent: nothing more comes.
        if t >= switches || !send(t + 1) || t + 1 >= switches {
            break;
        }
    }
    received
}

/// One unit's ends of an async runtime's two channels: send to the other unit, receive from it.
pub trait Ends {
    /// Hands the token on; false once the other side is gone.
    fn send(&mut self, token: u64) -> impl Future<Output = bool> + Send;
    /// Waits for the token; `None` once the other side is gone.
    fn recv(&mut self) -> impl Future<Output = Option<u64>> + Send;
}

/// [`relay`] on an async runtime, through its channels.
pub async fn relay_async(unit: usize, switches: u64, mut ends: impl Ends) -> u64 {
    let mut received = 0;
    if unit == 0 && !ends.send(1).await {
        return 0;
    }
    while let Some(t) = ends.recv().await {
        received += 1;
        if t >= switches || !ends.send(t + 1).await || t + 1 >= switches {
            break;
        }
    }
    received
}

/// The switch between two OS threads through two std channels of one token each: unit 0's
/// value and unit 1's.
pub fn on_threads(cfg: &Config) -> anyhow::Result<[u64; 2]> {
    let n = cfg.scenario.switches;
    let (to_1, from_0) = std::sync::mpsc::sync_channel::<u64>(1);
    let (to_0, from_1) = std::sync::mpsc::sync_channel::<u64>(1);
    let other = std::thread::Builder::new()
        .name("unit-1".into())
        .spawn(move || relay(1, n, |t| to_0.send(t).is_ok(), || from_0.recv().ok()))?;
    let mine = relay(0, n, |t| to_1.send(t).is_ok(), || from_1.recv().ok());
    drop((to_1, from_1));
    let theirs = other
        .join()
        .map_err(|_| anyhow::anyhow!("unit thread 1 panicked"))?;
    Ok([mine, theirs])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_sides_receive_every_token_once() {
        for n in [2, 3, 1000, 1001] {
            let mut cfg = Config::default();
            cfg.scenario.switches = n;
            let values = on_threads(&cfg).unwrap();
            assert_eq!(values, [0, 1].map(|i| expected_value(n, i)), "{n} switches");
            assert_eq!(values[0] + values[1], n);
        }
    }
}
