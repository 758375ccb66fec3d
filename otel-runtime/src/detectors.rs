//! The resource detectors of `resource_detectors` (`OTEL_EXPERIMENTAL_RESOURCE_DETECTORS`): what the SDKs of
//! other languages detect at start, under the semantic-convention names.
//!
//! | detector | attributes |
//! |---|---|
//! | `service_instance` | `service.instance.id`: a random UUID v4, the same for the whole process |
//! | `host` | `host.name` (`gethostname`; `COMPUTERNAME` on Windows), `host.arch` (`amd64`, `arm64`, …) |
//! | `os` | `os.type` (`linux`, `darwin`, `windows`, …), `os.description` (`uname`: `Linux 6.8.0-45-generic`) |
//! | `process` | `process.pid`, `process.executable.name`, `process.runtime.name` (`rustc`), `process.runtime.description` |
//! | `container` | `container.id` from `/proc/self/cgroup`, else `/proc/self/mountinfo` (Linux) |
//!
//! Detection is cheap (a few system calls and two small file reads) and never fails: whatever cannot be
//! detected is left out. `process.runtime.version` is left out on purpose: the version of the rustc that
//! compiled the binary is not known to a crate without a build script (`CARGO_PKG_RUST_VERSION` is only the
//! minimum version a crate declares, not the compiler's).

use opentelemetry::KeyValue;
use otel_config::ResourceDetector;
use std::sync::OnceLock;

/// The attributes `detectors` detect, in the order of `detectors`. Never fails, never panics: an attribute that
/// cannot be detected is absent.
pub(crate) fn detect(detectors: &[ResourceDetector]) -> Vec<KeyValue> {
    let mut attributes = Vec::new();
    for detector in detectors {
        match detector {
            ResourceDetector::ServiceInstance => {
                attributes.push(KeyValue::new("service.instance.id", instance_id()));
            }
            ResourceDetector::Host => {
                if let Some(name) = host_name() {
                    attributes.push(KeyValue::new("host.name", name));
                }
                attributes.push(KeyValue::new("host.arch", host_arch(std::env::consts::ARCH)));
            }
            ResourceDetector::Os => {
                attributes.push(KeyValue::new("os.type", os_type(std::env::consts::OS)));
                if let Some(description) = os_description() {
                    attributes.push(KeyValue::new("os.description", description));
                }
            }
            ResourceDetector::Process => {
                attributes.push(KeyValue::new("process.pid", i64::from(std::process::id())));
                if let Some(name) = executable_name() {
                    attributes.push(KeyValue::new("process.executable.name", name));
                }
                attributes.push(KeyValue::new("process.runtime.name", "rustc"));
                attributes.push(KeyValue::new("process.runtime.description", runtime_description()));
            }
            ResourceDetector::Container => {
                if let Some(id) = container_id() {
                    attributes.push(KeyValue::new("container.id", id));
                }
            }
            // A detector this runtime does not implement yet detects nothing: detection never fails the start.
            _ => {}
        }
    }
    attributes
}

/// `service.instance.id`: one UUID v4 per process, whoever asks (the three signals' providers, otel-check) and
/// however often. Its 122 random bits come from opentelemetry_sdk's `RandomIdGenerator` (rand's `SmallRng`,
/// seeded from the OS by getrandom): already in the dependency tree, no file to read, cannot fail.
fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
        uuid_v4(RandomIdGenerator::default().new_trace_id().to_bytes())
    })
}

/// 16 random bytes as a UUID version 4 (RFC 9562): the version nibble set to 4, the variant bits to `10`,
/// lowercase hex in 8-4-4-4-12 groups.
fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        text.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    text
}

/// `host.name`: `gethostname(2)`.
#[cfg(unix)]
fn host_name() -> Option<String> {
    // 256 bytes: POSIX's HOST_NAME_MAX is at most 255 on every unix we know (64 on Linux).
    let mut buf = [0u8; 256];
    // SAFETY: the pointer and length describe `buf`, which outlives the call.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    // A name that fills the buffer may come without its NUL: take what is there, up to the first NUL.
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    non_empty(String::from_utf8_lossy(&buf[..end]).trim())
}

/// `host.name`: the `COMPUTERNAME` Windows sets for every process.
#[cfg(windows)]
fn host_name() -> Option<String> {
    non_empty(std::env::var("COMPUTERNAME").ok()?.trim())
}

/// `host.name`: not detected on this platform.
#[cfg(not(any(unix, windows)))]
fn host_name() -> Option<String> {
    None
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// `host.arch`: the semantic conventions' value for Rust's `std::env::consts::ARCH`; an architecture they do not
/// name keeps Rust's name (the attribute is an open enum).
fn host_arch(rust_arch: &'static str) -> &'static str {
    match rust_arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "x86",
        "arm" => "arm32",
        "powerpc" => "ppc32",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        other => other,
    }
}

/// `os.type`: the semantic conventions' value for Rust's `std::env::consts::OS`; an OS they do not name keeps
/// Rust's name (open enum).
fn os_type(rust_os: &'static str) -> &'static str {
    match rust_os {
        "linux" | "android" => "linux",
        "macos" | "ios" | "tvos" | "watchos" | "visionos" => "darwin",
        "windows" => "windows",
        "freebsd" => "freebsd",
        "netbsd" => "netbsd",
        "openbsd" => "openbsd",
        "dragonfly" => "dragonflybsd",
        "solaris" | "illumos" => "solaris",
        "aix" => "aix",
        other => other,
    }
}

/// `os.description`: `uname`'s system name and release (`Linux 6.8.0-45-generic`), as Java and Go report it.
#[cfg(unix)]
fn os_description() -> Option<String> {
    // SAFETY: `utsname` is plain bytes, for which all zeroes is a valid value; `uname` fills it in.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live, writable `utsname`.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    let field = |chars: &[libc::c_char]| {
        let bytes: Vec<u8> = chars.iter().take_while(|&&c| c != 0).map(|c| c.to_ne_bytes()[0]).collect();
        String::from_utf8_lossy(&bytes).trim().to_string()
    };
    let (system, release) = (field(&uts.sysname), field(&uts.release));
    non_empty(format!("{system} {release}").trim())
}

/// `os.description`: not detected on this platform.
#[cfg(not(unix))]
fn os_description() -> Option<String> {
    None
}

/// `process.executable.name`: the file name of the running executable, else of `argv[0]`.
fn executable_name() -> Option<String> {
    let from_path = |path: &std::path::Path| {
        let name = path.file_name()?.to_string_lossy().into_owned();
        // Linux reports an executable replaced or removed since it started as `name (deleted)`.
        non_empty(name.strip_suffix(" (deleted)").unwrap_or(&name))
    };
    std::env::current_exe()
        .ok()
        .and_then(|path| from_path(&path))
        .or_else(|| from_path(std::path::Path::new(&std::env::args_os().next()?)))
}

/// `process.runtime.description`: what is known at compile time without a build script: the target's
/// architecture and OS and whether debug assertions are on (a debug build in production shows here).
fn runtime_description() -> String {
    let assertions = if cfg!(debug_assertions) { "debug assertions on" } else { "debug assertions off" };
    format!("Rust, {}-{}, {assertions}", std::env::consts::ARCH, std::env::consts::OS)
}

/// The most bytes read from a `/proc` file: cgroup files are a few lines; mountinfo of a container tens of
/// lines. What is past the cap is not read (and the line it cuts is dropped).
const READ_CAP: usize = 256 * 1024;

/// `container.id`: from `/proc/self/cgroup` (cgroup v1, or v2 paths that name the container), else from
/// `/proc/self/mountinfo` (cgroup v2 namespaces, where the cgroup path is `/`).
#[cfg(target_os = "linux")]
fn container_id() -> Option<String> {
    let from_cgroup =
        read_capped("/proc/self/cgroup").and_then(|text| container_id_from_cgroup(&text).map(str::to_string));
    from_cgroup.or_else(|| {
        read_capped("/proc/self/mountinfo").and_then(|text| container_id_from_mountinfo(&text).map(str::to_string))
    })
}

/// `container.id`: only detected on Linux.
#[cfg(not(target_os = "linux"))]
fn container_id() -> Option<String> {
    None
}

/// The text of `path`, at most [`READ_CAP`] bytes of it (a cut last line is dropped), invalid UTF-8 replaced.
/// `None` on any error.
#[cfg(target_os = "linux")]
fn read_capped(path: &str) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(READ_CAP as u64 + 1).read_to_end(&mut bytes).ok()?;
    Some(capped_text(bytes))
}

/// `bytes` read with a cap of [`READ_CAP`] + 1 as text: when the cap was hit, everything after the last complete
/// line is dropped, so that a cut id is never read as a whole one.
fn capped_text(mut bytes: Vec<u8>) -> String {
    if bytes.len() > READ_CAP {
        bytes.truncate(READ_CAP);
        let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(end);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The container id in a `/proc/self/cgroup` text: the first line whose cgroup path has a segment that is a
/// 64-hex id, bare or as `<runtime>-<id>.scope` (`/docker/<id>`, `/kubepods/…/pod…/<id>`,
/// `/system.slice/docker-<id>.scope`, `…/cri-containerd-<id>.scope`, `…/crio-<id>.scope`, `libpod-<id>.scope`).
fn container_id_from_cgroup(text: &str) -> Option<&str> {
    text.lines().find_map(|line| {
        // `hierarchy-id:controllers:path`; the path may itself contain ':'.
        let path = line.splitn(3, ':').nth(2)?;
        // The deepest segment that names a container: a container may have cgroups of its own below it
        // (Podman's `libpod-<id>.scope/container`).
        path.trim_end().rsplit('/').find_map(|segment| {
            let candidate = match segment.strip_suffix(".scope") {
                Some(scope) => scope.rsplit('-').next()?,
                None => segment,
            };
            is_container_id(candidate).then_some(candidate)
        })
    })
}

/// The container id in a `/proc/self/mountinfo` text: the id in the mount root of the container's
/// `/etc/hostname`, which Docker and Podman bind from their per-container directory
/// (`/var/lib/docker/containers/<id>/hostname`, `…/overlay-containers/<id>/userdata/hostname`). Only roots that
/// end in `/hostname` count: on a host, other containers' directories appear in mount points (their `shm`),
/// never as the root of a `hostname` mount.
fn container_id_from_mountinfo(text: &str) -> Option<&str> {
    text.lines().find_map(|line| {
        // `mount-id parent-id major:minor root mount-point options …`
        let root = line.split_whitespace().nth(3)?;
        if !root.ends_with("/hostname") {
            return None;
        }
        let segments: Vec<&str> = root.split('/').collect();
        segments.windows(2).find_map(|pair| {
            (matches!(pair[0], "containers" | "overlay-containers") && is_container_id(pair[1])).then_some(pair[1])
        })
    })
}

/// A container id as the runtimes write it: exactly 64 lowercase hex digits.
fn is_container_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "9f2c1e3b4a5d6c7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";

    fn keys(detectors: &[ResourceDetector]) -> Vec<String> {
        detect(detectors).iter().map(|kv| kv.key.to_string()).collect()
    }

    #[test]
    fn each_detector_adds_exactly_its_keys() {
        assert!(detect(&[]).is_empty());
        assert_eq!(keys(&[ResourceDetector::ServiceInstance]), ["service.instance.id"]);
        #[cfg(unix)]
        assert_eq!(keys(&[ResourceDetector::Host]), ["host.name", "host.arch"]);
        #[cfg(unix)]
        assert_eq!(keys(&[ResourceDetector::Os]), ["os.type", "os.description"]);
        assert_eq!(
            keys(&[ResourceDetector::Process]),
            ["process.pid", "process.executable.name", "process.runtime.name", "process.runtime.description"]
        );
        // Present or not depending on where the test runs; never anything else.
        for key in keys(&[ResourceDetector::Container]) {
            assert_eq!(key, "container.id");
        }
    }

    #[test]
    fn values_are_those_of_this_process() {
        let attributes = detect(ResourceDetector::ALL);
        let value = |key: &str| attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string());
        assert_eq!(value("process.pid"), Some(std::process::id().to_string()));
        assert_eq!(value("process.runtime.name").as_deref(), Some("rustc"));
        let exe = std::env::current_exe().unwrap();
        assert_eq!(value("process.executable.name"), Some(exe.file_name().unwrap().to_string_lossy().into_owned()));
        #[cfg(target_os = "linux")]
        {
            assert_eq!(value("os.type").as_deref(), Some("linux"));
            assert!(value("os.description").unwrap().starts_with("Linux "));
            let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
            assert_eq!(value("host.name").as_deref(), Some(hostname.trim()));
        }
        #[cfg(target_arch = "x86_64")]
        assert_eq!(value("host.arch").as_deref(), Some("amd64"));
        // The same instance id however often the resource is built (one per process, shared by the signals).
        assert_eq!(value("service.instance.id").as_deref(), Some(instance_id()));
        assert_eq!(
            detect(&[ResourceDetector::ServiceInstance])[0].value.to_string(),
            value("service.instance.id").unwrap()
        );
    }

    #[test]
    fn instance_id_is_a_uuid_v4() {
        for id in [uuid_v4([0xff; 16]), uuid_v4([0; 16]), instance_id().to_string()] {
            assert_eq!(id.len(), 36, "{id}");
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)), "{id}");
            assert_eq!(&id[14..15], "4", "version nibble of {id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "variant of {id}");
        }
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        let bytes = core::array::from_fn(|i| i as u8);
        assert_eq!(uuid_v4(bytes), "00010203-0405-4607-8809-0a0b0c0d0e0f");
    }

    #[test]
    fn semconv_names_for_arch_and_os() {
        let arches = [("x86_64", "amd64"), ("aarch64", "arm64"), ("x86", "x86"), ("arm", "arm32")];
        for (rust, semconv) in arches.into_iter().chain([("powerpc64", "ppc64"), ("s390x", "s390x")]) {
            assert_eq!(host_arch(rust), semconv);
        }
        assert_eq!(host_arch("riscv64"), "riscv64");
        let oses = [("linux", "linux"), ("macos", "darwin"), ("windows", "windows"), ("freebsd", "freebsd")];
        for (rust, semconv) in oses.into_iter().chain([("dragonfly", "dragonflybsd"), ("android", "linux")]) {
            assert_eq!(os_type(rust), semconv);
        }
        assert_eq!(os_type("haiku"), "haiku");
    }

    #[test]
    fn container_id_from_cgroup_files() {
        let rows: Vec<(String, Option<&str>)> = vec![
            // cgroup v1, Docker.
            (format!("12:cpuset:/docker/{ID}\n11:memory:/docker/{ID}\n0::/\n"), Some(ID)),
            // cgroup v1, Kubernetes (cgroupfs driver), ECS.
            (format!("5:cpu,cpuacct:/kubepods/burstable/pod1b2c3d4e-aaaa-bbbb-cccc-0123456789ab/{ID}\n"), Some(ID)),
            (format!("9:perf_event:/ecs/55091c13-b8cf-4801-b527-f4601742204d/{ID}\n"), Some(ID)),
            // Kubernetes, systemd driver: containerd and CRI-O scopes.
            (
                format!(
                    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_aaaa.slice/\
                     cri-containerd-{ID}.scope\n"
                ),
                Some(ID),
            ),
            (format!("1:name=systemd:/kubepods.slice/kubepods-pod1.slice/crio-{ID}.scope\n"), Some(ID)),
            // cgroup v2 as Docker (systemd driver) and Podman show it when the namespace is not private.
            (format!("0::/system.slice/docker-{ID}.scope\n"), Some(ID)),
            (format!("0::/machine.slice/libpod-{ID}.scope/container\n"), Some(ID)),
            (format!("0::/machine.slice/libpod-{ID}.scope\n"), Some(ID)),
            // The id on a later line.
            (format!("2:cpu:/\n1:name=systemd:/docker/{ID}\n"), Some(ID)),
            // No container: cgroup v2 namespace root, a systemd session, a user service.
            ("0::/\n".to_string(), None),
            ("0::/user.slice/user-1000.slice/session-2.scope\n".to_string(), None),
            ("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope\n".into(), None),
            // Almost ids: 63 and 65 digits, uppercase, not hex, the pod uid.
            (format!("1:cpu:/docker/{}\n", &ID[1..]), None),
            (format!("1:cpu:/docker/{ID}0\n"), None),
            (format!("1:cpu:/docker/{}\n", ID.to_uppercase()), None),
            (format!("1:cpu:/docker/{}g\n", &ID[1..]), None),
            ("1:cpu:/kubepods/pod1b2c3d4e-aaaa-bbbb-cccc-0123456789ab\n".into(), None),
            // Garbage.
            (String::new(), None),
            ("no colons at all\n::::\n:\n\u{0}\u{1}\u{fffd}\n".into(), None),
            (format!("{ID}\n"), None),
        ];
        for (i, (text, expected)) in rows.iter().enumerate() {
            assert_eq!(container_id_from_cgroup(text), *expected, "row {i}: {text:?}");
        }
    }

    #[test]
    fn container_id_from_mountinfo_files() {
        let docker = format!(
            "680 600 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC\n\
             690 680 8:1 /var/lib/docker/containers/{ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda1 rw\n\
             691 680 8:1 /var/lib/docker/containers/{ID}/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw\n\
             692 680 8:1 /var/lib/docker/containers/{ID}/hosts /etc/hosts rw,relatime - ext4 /dev/sda1 rw\n"
        );
        let podman = format!(
            "1003 990 0:107 /containers/storage/overlay-containers/{ID}/userdata/hostname /etc/hostname rw - tmpfs tmpfs rw\n"
        );
        let rootless = format!(
            "77 70 259:2 /home/u/.local/share/docker/containers/{ID}/hostname /etc/hostname rw - ext4 /dev/x rw\n"
        );
        // On a host: other containers' directories appear as mount points (their shm), never as a hostname root.
        let host = format!(
            "25 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n\
             900 25 0:60 / /var/lib/docker/containers/{ID}/mounts/shm rw - tmpfs shm rw,size=65536k\n"
        );
        let rows: Vec<(String, Option<&str>)> = vec![
            (docker, Some(ID)),
            (podman, Some(ID)),
            (rootless, Some(ID)),
            (host, None),
            (format!("1 2 3:4 /var/lib/docker/containers/{}/hostname /etc/hostname rw\n", &ID[2..]), None),
            (format!("1 2 3:4 /var/lib/docker/sandboxes/{ID}/hostname /etc/hostname rw\n"), None),
            (format!("/var/lib/docker/containers/{ID}/hostname\n"), None),
            (String::new(), None),
            ("\u{0}\u{0}\u{0}\n   \n1 2\n".into(), None),
        ];
        for (i, (text, expected)) in rows.iter().enumerate() {
            assert_eq!(container_id_from_mountinfo(text), *expected, "row {i}: {text:?}");
        }
    }

    #[test]
    fn a_huge_file_is_cut_at_the_cap_and_its_cut_line_dropped() {
        // One line far past the cap: nothing of it survives (it has no end within the cap).
        let huge = format!("1:cpu:/docker/{}{ID}\n", "a".repeat(2 * READ_CAP));
        let mut capped = huge.into_bytes();
        capped.truncate(READ_CAP + 1); // what `read_capped` reads at most
        assert_eq!(capped_text(capped), "");
        // An id whose line the cap cuts is not read as a whole id, the complete lines before it are kept.
        let filler = format!("1:cpu:/{}\n", "x".repeat(READ_CAP - 60));
        let text = format!("{filler}2:cpu:/docker/{ID}\n");
        let mut capped = text.clone().into_bytes();
        capped.truncate(READ_CAP + 1);
        let kept = capped_text(capped);
        assert_eq!(kept, filler);
        assert_eq!(container_id_from_cgroup(&kept), None);
        assert_eq!(container_id_from_cgroup(&text), Some(ID));
        // Under the cap: untouched.
        assert_eq!(capped_text(text.clone().into_bytes()[..100].to_vec()).len(), 100);
        // Invalid UTF-8 does not hide a valid line.
        let mut bytes = b"\xff\xfe garbage\n".to_vec();
        bytes.extend_from_slice(format!("1:cpu:/docker/{ID}\n").as_bytes());
        assert_eq!(container_id_from_cgroup(&capped_text(bytes)), Some(ID));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reading_proc_never_fails() {
        // Whatever this machine is, detection returns (an id or nothing), and a missing file is `None`.
        let id = container_id();
        assert!(id.as_deref().is_none_or(is_container_id), "{id:?}");
        assert_eq!(read_capped("/proc/self/does-not-exist"), None);
    }
}
