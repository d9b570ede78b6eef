use clap::Args;
#[derive(Args, Debug)]
pub struct PairArgs {}
pub fn run(_a: PairArgs) -> anyhow::Result<u8> { Ok(0) }
