//! What a running program costs the computer, as the OS counts it (Linux, from `/proc`): its
//! memory as PSS (each shared page divided among the processes mapping it, so summing over
//! processes counts every page once), over its own process and every process it started (WebKit's
//! web and network processes).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::{AppSession, TestResult};

/// One process's share of memory.
#[derive(Debug, Clone)]
pub struct ProcessMemory {
    pub pid: u32,
    /// The process's own name (`comm`), e.g. `WebKitWebProces`.
    pub name: String,
    pub pss_kib: u64,
}

/// The processes' total, in MiB.
pub fn total_mib(processes: &[ProcessMemory]) -> f64 {
    processes.iter().map(|p| p.pss_kib).sum::<u64>() as f64 / 1024.0
}

impl AppSession {
    /// The process of the program under test (started by the driver's WebKitWebDriver).
    fn program_pid(&self, parents: &HashMap<u32, u32>) -> TestResult<u32> {
        descendants(parents, self.driver.id())
            .into_iter()
            .find(|pid| exe_is(*pid, &self.binary))
            .ok_or_else(|| "the program is not running under its driver".into())
    }

    /// How long ago the program's process started, to the kernel's tick (10 ms).
    pub fn program_age(&self) -> TestResult<Duration> {
        let now = std::fs::read_to_string("/proc/uptime")?;
        let pid = self.program_pid(&parents()?)?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // Field 22, the start in ticks since boot; 19 fields after the one following the name.
        let started: f64 = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(19))
            .and_then(|t| t.parse().ok())
            .ok_or("no start time in /proc/<pid>/stat")?;
        let now: f64 = now
            .split_whitespace()
            .next()
            .and_then(|t| t.parse().ok())
            .ok_or("no /proc/uptime")?;
        Ok(Duration::from_secs_f64(
            (now - started / ticks_per_second()?).max(0.0),
        ))
    }

    /// The PSS of the program under test and of every process it started.
    pub fn memory(&self) -> TestResult<Vec<ProcessMemory>> {
        let parents = parents()?;
        let program = self.program_pid(&parents)?;
        let mut processes = Vec::new();
        for pid in std::iter::once(program).chain(descendants(&parents, program)) {
            // A process that ended in between counts nothing.
            if let Some(pss_kib) = pss_kib(pid) {
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                processes.push(ProcessMemory { pid, name, pss_kib });
            }
        }
        Ok(processes)
    }
}

/// The kernel's clock ticks per second (`USER_HZ`), as `getconf` reads it.
fn ticks_per_second() -> TestResult<f64> {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

fn exe_is(pid: u32, binary: &Path) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary)
}

/// Every process's parent.
fn parents() -> TestResult<HashMap<u32, u32>> {
    let mut parents = HashMap::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": the name may hold spaces and brackets, so read after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
    }
    Ok(parents)
}

/// Every process started, directly or not, by `root`.
fn descendants(parents: &HashMap<u32, u32>, root: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        let mut children: Vec<u32> = parents
            .iter()
            .filter(|(_, p)| **p == parent)
            .map(|(pid, _)| *pid)
            .collect();
        children.sort_unstable();
        frontier.extend(&children);
        found.extend(children);
    }
    found
}

fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_the_tree_holds_its_children() {
        let own = std::process::id();
        assert!(pss_kib(own).is_some_and(|kib| kib > 0));
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let parents = parents().unwrap();
        assert!(descendants(&parents, own).contains(&child.id()));
        assert!(!descendants(&parents, child.id()).contains(&own));
        let _ = child.kill();
        let _ = child.wait();
    }
}
