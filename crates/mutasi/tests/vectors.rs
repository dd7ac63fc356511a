//! Signature test vectors. No provider publishes vectors for these
//! schemes, so each expected value was computed independently with OpenSSL
//! from the published recipe, e.g. for BRI:
//!
//! ```sh
//! printf '%s' "path=/v2.0/statement&verb=POST&token=Bearer …&timestamp=…&body=…" \
//!   | openssl dgst -sha256 -hmac bri-demo-secret -binary | base64
//! ```

use mutasi::sign;

const BRI_BODY: &str =
    r#"{"accountNumber":"008301031142500","startDate":"2021-01-01","endDate":"2021-01-02"}"#;

#[test]
fn bri_signature_matches_openssl() {
    let s = sign::bri_signature(
        "bri-demo-secret",
        "/v2.0/statement",
        "POST",
        "5tvJM9GzMA8mCUkC9xFLXBE9zGiJ",
        "2021-01-02T03:04:05.000Z",
        BRI_BODY,
    );
    assert_eq!(s, "r8zYlwXn3A2UpS+TE+ZosKQxsNpoQDGMA8saPb+D+wM=");
}

#[test]
fn snap_symmetric_matches_openssl() {
    // The document's own sample request body.
    let body =
        r#"{"accountNo":"001001000060300","fromDateTime":"2020-08-18","toDateTime":"2020-08-20"}"#;
    assert_eq!(
        sign::sha256_hex(body.as_bytes()),
        "d365582bb995c23fe7d482aaafabf69be394a5487fca6d468a1b5afa651b0d8b"
    );
    let pretty = "{\n  \"accountNo\": \"001001000060300\",\n  \"fromDateTime\": \"2020-08-18\",\n  \"toDateTime\": \"2020-08-20\"\n}";
    assert_eq!(sign::minify_json(pretty), body);
    let s = sign::snap_symmetric(
        "raya-demo-secret",
        "post",
        "/snap/v1.0/bank-statement",
        "HA3fE7efDMWSUyRohNZxdYDig9ph",
        body,
        "2020-08-20T10:00:00+07:00",
    );
    assert_eq!(
        s,
        "jgYoUiav0tS5lNSShjmoMuoGi2ewdpFRn8Lcdtb4T5fsRn6SCUiwbQLuj0JZKDBisqxJeBQrI6peJU7nrcC4Ug=="
    );
}

#[test]
fn snap_asymmetric_matches_openssl_and_verifies() {
    let signer = sign::RsaSigner::from_pem(sandbox::demo::BANKRAYA_PRIVATE_KEY_PEM).unwrap();
    assert_eq!(format!("{signer:?}"), "RsaSigner(***)");
    let s =
        sign::snap_asymmetric(&signer, "loket-demo-partner", "2020-08-20T10:00:00+07:00").unwrap();
    // `openssl dgst -sha256 -sign demo.pem -binary | base64`: PKCS#1 v1.5 is deterministic.
    assert_eq!(
        s,
        "G5AXO+EvNI5hOAAaRwnwT1Cviz4uf4TFQQJ19s/oyiQLNqFvUvsf/m7S5F5HHLnbdy9iJTmQxyOXQtuThFKBPpmszQoOhA0623AULGRXbrAgNPmZog45b5CPqt5HceJW8eQOHbLvclRZ2g2eg0DbEE4Nfkdyvp9pAs9cxVMuzqogPOSqBWAjR+FrOtdsP4op4xibPC2FeIC+UuRRy2Y+syDfxLAlz4wFX0iffprYwNDHote1eIPx8w4F9/pIk9j+833OasWIqlzC1DlPuyg/U+WY72ZosccU7kIee5QMolvx+YNsPAHMjHdDRp6gIqiazaUmZVtikmmWjPyUdXExyQ=="
    );
    let msg = b"loket-demo-partner|2020-08-20T10:00:00+07:00";
    assert!(sign::rsa_verify(
        sandbox::demo::BANKRAYA_PUBLIC_KEY_PEM,
        msg,
        &s
    ));
    assert!(!sign::rsa_verify(
        sandbox::demo::BANKRAYA_PUBLIC_KEY_PEM,
        b"someone-else|2020-08-20T10:00:00+07:00",
        &s
    ));
    assert!(sign::RsaSigner::from_pem("not a key").is_err());
}

#[test]
fn mutasibank_webhook_matches_openssl() {
    let body = br#"{"account_id":1,"data_mutasi":[]}"#;
    let s = sign::mutasibank_webhook_signature("mb-webhook-secret", body);
    assert_eq!(
        s,
        "082037f5f2aeba84be4a0cfec0c1affc4a8bea390aae19ad905fa42fe2dc5852"
    );
    assert!(sign::verify_hmac_sha256_hex("mb-webhook-secret", body, &s));
    assert!(sign::verify_hmac_sha256_hex(
        "mb-webhook-secret",
        body,
        &s.to_uppercase()
    ));
    assert!(!sign::verify_hmac_sha256_hex("other", body, &s));
    assert!(!sign::verify_hmac_sha256_hex(
        "mb-webhook-secret",
        body,
        "zz"
    ));
}
