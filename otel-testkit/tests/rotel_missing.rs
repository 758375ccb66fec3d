//! A missing rotel is an error that says how to install it (a test binary of its own: it changes ROTEL_AGENT).

#[test]
fn a_missing_binary_is_an_error_naming_the_install_script() {
    std::env::set_var("ROTEL_AGENT", "/nonexistent/rotel-agent");
    let err = otel_testkit::Rotel::start().unwrap_err();
    assert!(err.contains("scripts/install-rotel.sh") && err.contains("/nonexistent/rotel-agent"), "{err}");
}
