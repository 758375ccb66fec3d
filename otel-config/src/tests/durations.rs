//! Durations: strings with units or integer milliseconds; serialized back as integer milliseconds.

use super::*;
use std::time::Duration;

#[test]
fn parse_duration_table() {
    let ok = [
        ("250ms", Duration::from_millis(250)),
        ("5s", Duration::from_secs(5)),
        ("1m", Duration::from_secs(60)),
        ("1h", Duration::from_secs(3600)),
        ("1.5s", Duration::from_millis(1500)),
        ("0.5m", Duration::from_secs(30)),
        (" 2 s ", Duration::from_secs(2)),
        ("100", Duration::from_millis(100)),
        ("0", Duration::ZERO),
    ];
    for (text, expected) in ok {
        assert_eq!(parse_duration(text), Ok(expected), "{text:?}");
    }
    for text in ["", "soon", "5 seconds", "-1s", "1.s", ".5s", "1.2.3s", "s", "99999999999999999h"] {
        assert!(parse_duration(text).is_err(), "{text:?} should not parse");
    }
}

#[test]
fn durations_are_bounded_and_the_parser_never_overflows() {
    assert_eq!(parse_duration("8760h"), Ok(MAX_DURATION));
    assert_eq!(parse_duration("31536000000"), Ok(MAX_DURATION));
    assert_eq!(parse_duration("525600m"), Ok(MAX_DURATION));
    let long_fraction = format!("{}.5h", "9".repeat(400));
    let too_long = [
        "8760.001h",
        "31536000001",
        "8761h",
        "99999999999h",
        "99999999999999999999h",
        "18446744073709551615",
        "18446744073709551615h",
        "18446744073709551616ms",
        long_fraction.as_str(),
    ];
    for text in too_long {
        let message = parse_duration(text).unwrap_err();
        assert!(message.contains("longer than the maximum of 365 days"), "{text:?}: {message}");
    }
    // Whatever the duration, adding it to now cannot overflow (`Instant + Duration` panics on overflow).
    let _ = std::time::Instant::now() + MAX_DURATION;
    let _ = std::time::SystemTime::now() + MAX_DURATION;
}

#[test]
fn durations_in_the_file() {
    let toml = "[shutdown]\ntimeout = \"250ms\"\n[batch]\nschedule_delay = 100\nexport_timeout = \"1m\"\n[exporter]\ntimeout = \"1.5s\"";
    let c = load_with(Some(toml), &[]).unwrap().config;
    assert_eq!(c.shutdown.timeout, Duration::from_millis(250));
    assert_eq!(c.batch.schedule_delay, Duration::from_millis(100));
    assert_eq!(c.batch.export_timeout, Duration::from_secs(60));
    assert_eq!(c.exporter.timeout, Duration::from_millis(1500));
}

#[test]
fn durations_serialize_as_milliseconds_and_round_trip() {
    let json = serde_json::to_value(Config::default()).unwrap();
    assert_eq!(json["exporter"]["timeout"], 10_000);
    assert_eq!(json["batch"]["schedule_delay"], 5_000);
    assert_eq!(json["shutdown"]["timeout"], 3_000);
    let text = toml::to_string(&Config::default()).unwrap();
    let back: Config = toml::from_str(&text).unwrap();
    assert_eq!(back, Config::default());
}
