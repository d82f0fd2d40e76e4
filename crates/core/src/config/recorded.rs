//! A config as a run recorded it: the JSON a report carries, read back into a typed [`Config`]
//! (older keys migrated), and the settings that define a group's work, as typed facts rather
//! than a list of key strings in each reader.

use serde_json::Value;

use super::{Config, Family};

/// Keys older versions wrote, and what they became: `(section, old, new)`.
const RENAMED: [(&str, &str, &str); 1] = [
    // Until 2026-11-27 the SQLite scenarios' file was `scenario.db`; the file scenario made it
    // `scenario.data`, a file or a folder.
    ("scenario", "db", "data"),
];

impl Config {
    /// The config a report recorded (its `config`), read as strictly as a config file after
    /// renaming the keys older versions wrote ([`RENAMED`]). An error names the key.
    pub fn from_recorded(recorded: &Value) -> Result<Self, String> {
        let mut value = recorded.clone();
        for (section, old, new) in RENAMED {
            if let Some(map) = value.get_mut(section).and_then(Value::as_object_mut) {
                if let Some(v) = map.remove(old) {
                    map.entry(new).or_insert(v);
                }
            }
        }
        serde_json::from_value(value).map_err(|e| format!("a recorded config that does not read: {e}"))
    }

    /// The settings that define the work of a group of `family` on its workload (`workload`)
    /// or a task-cost scenario, each as its `section.key` and value: two runs that differ in
    /// one did different work. How the work is split (workers, in flight, runtime) is not
    /// among them.
    pub fn work(&self, family: Family, workload: bool) -> Vec<(&'static str, Value)> {
        fn v<T: serde::Serialize>(x: &T) -> Value {
            serde_json::to_value(x).unwrap_or(Value::Null)
        }
        match (workload, family) {
            (false, _) => {
                let s = &self.scenario;
                vec![
                    ("scenario.name", v(&s.name)),
                    ("scenario.units", v(&s.units)),
                    ("scenario.sleep_ms", v(&s.sleep_ms)),
                    ("scenario.rows", v(&s.rows)),
                    ("scenario.file_bytes", v(&s.file_bytes)),
                    ("scenario.switches", v(&s.switches)),
                ]
            }
            (true, Family::Cpu) => {
                let c = &self.cpu;
                vec![
                    ("cpu.kernel", v(&c.kernel)),
                    ("cpu.urls", v(&c.urls)),
                    ("cpu.numbers", v(&c.numbers)),
                    ("cpu.records", v(&c.records)),
                    ("cpu.passes", v(&c.passes)),
                    ("cpu.seed", v(&c.seed)),
                    ("cpu.unicode", v(&c.unicode)),
                    ("cpu.host", v(&c.host)),
                ]
            }
            (true, Family::Io) => {
                let i = &self.io;
                vec![
                    ("io.requests", v(&i.requests)),
                    ("io.endpoints", v(&i.endpoints)),
                    ("io.rate", v(&i.rate)),
                ]
            }
            (true, Family::Serve) => {
                let s = &self.serve;
                vec![
                    ("serve.connections", v(&s.connections)),
                    ("serve.round_trips", v(&s.round_trips)),
                    ("serve.message_bytes", v(&s.message_bytes)),
                    ("serve.think_ms", v(&s.think_ms)),
                    ("serve.work_ms", v(&s.work_ms)),
                    ("serve.hold_ms", v(&s.hold_ms)),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_config_reads_back_typed_and_an_old_key_is_migrated() {
        let mut recorded = serde_json::to_value(Config::default()).unwrap();
        recorded["scenario"]["sleep_ms"] = 7.into();
        assert_eq!(Config::from_recorded(&recorded).unwrap().scenario.sleep_ms, 7);
        let data = recorded["scenario"]
            .as_object_mut()
            .unwrap()
            .remove("data")
            .unwrap();
        recorded["scenario"]["db"] = data;
        assert!(
            Config::from_recorded(&recorded).is_ok(),
            "scenario.db reads as scenario.data"
        );
        recorded["scenario"]["nonsense"] = 1.into();
        let err = Config::from_recorded(&recorded).unwrap_err();
        assert!(err.contains("nonsense"), "{err}");
    }

    #[test]
    fn the_work_of_a_group_names_what_defines_it_and_not_how_it_is_split() {
        let mut a = Config::default();
        let mut b = a.clone();
        b.cpu.workers = a.cpu.workers + 3;
        assert_eq!(
            a.work(Family::Cpu, true),
            b.work(Family::Cpu, true),
            "workers split the work"
        );
        b.cpu.urls += 1;
        assert_ne!(a.work(Family::Cpu, true), b.work(Family::Cpu, true));
        a.scenario.switches += 1;
        let keys: Vec<&str> = a.work(Family::Cpu, false).iter().map(|(k, _)| *k).collect();
        assert!(keys.contains(&"scenario.switches"), "{keys:?}");
    }
}
