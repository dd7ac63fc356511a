//! Statement fetch throughput over loopback against the sandbox's
//! imitations: lines per second for each provider over a 90-day range.

use std::time::Instant;

use chrono::{Duration, Utc};
use mutasi::{no_progress, DateRange, ProviderSettings, Secret};
use sandbox::demo;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sb = sandbox::Sandbox::start(
            sandbox::SandboxConfig::default(),
            "127.0.0.1:0".parse().expect("addr"),
        )
        .await
        .expect("sandbox");
        let base = sb.base_url();
        let today = Utc::now().with_timezone(&mutasi::wib()).date_naive();
        let range = DateRange::new(today - Duration::days(89), today).expect("range");
        let all = [
            ProviderSettings::Mutasibank(mutasi::MutasibankSettings {
                base_url: base.clone(),
                token: Secret::new(demo::MUTASIBANK_TOKEN),
                webhook_secret: None,
            }),
            ProviderSettings::Moota(mutasi::MootaSettings {
                base_url: base.clone(),
                token: Secret::new(demo::MOOTA_TOKEN),
                bank: None,
            }),
            ProviderSettings::Bri(mutasi::BriSettings {
                base_url: base.clone(),
                client_id: demo::BRI_CLIENT_ID.into(),
                client_secret: Secret::new(demo::BRI_CLIENT_SECRET),
            }),
            ProviderSettings::Bankraya(mutasi::BankRayaSettings {
                base_url: base.clone(),
                client_id: demo::BANKRAYA_CLIENT_ID.into(),
                client_secret: Secret::new(demo::BANKRAYA_CLIENT_SECRET),
                private_key_pem: Secret::new(demo::BANKRAYA_PRIVATE_KEY_PEM),
                channel_id: demo::BANKRAYA_CHANNEL_ID.into(),
            }),
        ];
        println!("statement fetch, 90 days, 20 rounds each");
        for s in &all {
            let src = mutasi::source(s).expect("source");
            let start = Instant::now();
            let mut lines = 0;
            for _ in 0..20 {
                lines += src
                    .fetch(demo::AGENT_ACCOUNT, range, &no_progress)
                    .await
                    .expect("fetch")
                    .len();
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{:>10}: {lines} lines in {secs:.3} s = {:.0} lines/s, {:.1} ms per fetch",
                s.kind().as_str(),
                lines as f64 / secs,
                secs * 1000.0 / 20.0
            );
        }
        sb.shutdown().await;
    });
}
